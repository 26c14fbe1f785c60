"""Answer normalization and salted hashing for 益起解密 puzzles.

Organizers write accepted answers in plaintext in ``scenes/puzzles/*.json``
(server-side files). The server hashes them when it loads a puzzle, with a
per-deployment secret salt kept in its data folder, and forgets the
plaintext: memory, the database and the wire only ever see
``HMAC-SHA256(salt, puzzle / step / normalized answer)``. A visitor's attempt
goes through the same normalization and is compared in constant time.

Normalization makes equivalent spellings equal: Unicode NFKC (full-width
``１２Ａ`` becomes ``12A``), case-folding, no whitespace or punctuation, and
traditional characters folded to simplified ones for the characters a fair
puzzle is likely to use (the table below; no full converter is needed for
answers of a few characters).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

# Traditional -> simplified for common characters (one to one, the simplified side in GB2312).
_TRAD = (
    "愛礙襖罷壩擺敗頒辦幫綁寶報貝備筆幣閉邊編變標錶別賓餅撥補財參蠶殘慚慘倉艙層產長場嘗廠暢車徹塵陳稱誠懲"
    "遲馳齒衝蟲籌醜處觸傳創闖辭從聰叢湊竄達帶貸擔單膽當黨檔導燈鄧敵遞點電釣調頂訂東動凍鬥獨讀賭斷對兌噸奪"
    "惡兒爾發罰閥範飯訪紡飛廢費紛墳奮憤糞豐風瘋鋒馮膚婦復負該蓋趕幹剛鋼綱崗鎬個給鞏貢溝夠購構顧關觀館慣廣規"
    "歸龜櫃貴國過還漢號閡賀轟紅後護滬劃華嘩畫話壞歡環換煥黃揮輝會匯彙繪渾貨獲禍擊機積飢極輯幾計記際濟繼價"
    "駕艱監堅殲間揀簡見薦艦鑒將槳獎講膠澆驕嬌攪餃絞腳較階節傑潔結屆緊錦謹進盡勁莖經驚頸靜鏡糾舊駒舉據鋸劇捲"
    "覺絕軍開凱顆殼課懇墾庫誇塊虧饋擴闊蠟臘來賴藍欄攔籃蘭爛濫勞澇樂淚類壘離裡禮厲勵歷曆隸倆聯憐簾連鐮練糧"
    "涼兩輛諒療遼獵臨鄰鱗齡靈嶺領劉龍聾隴樓婁陸錄驢屢縷濾綠亂掄輪論羅蘿鑼騾絡媽瑪碼螞馬罵嗎買麥賣邁脈蠻滿貓"
    "錨鉚貿麼沒們夢彌謎覓綿緬廟滅憫閩鳴銘謀畝納難撓腦惱鬧餒內擬膩釀鳥寧擰濘紐農濃膿諾歐毆盤龐賠噴鵬騙飄頻貧"
    "蘋憑評潑頗撲鋪樸譜棲齊騎豈啟氣棄訖牽鉛遷簽謙錢鉗潛淺譴槍牆薔強搶鍬橋喬僑翹竅親輕氫傾頃請慶窮瓊區軀驅"
    "齲權勸確讓饒擾繞熱認韌榮絨軟銳潤灑薩賽傘喪騷掃澀殺紗篩曬閃陝贍傷賞燒紹賒攝懾設紳審嬸腎滲聲繩勝聖師獅濕"
    "詩屍時蝕實識駛勢適釋飾視試壽獸樞輸書贖屬術樹豎數帥雙誰稅順說碩爍絲飼聳慫頌訟誦擻蘇訴肅雖隨綏歲孫損筍縮"
    "瑣鎖獺撻態攤貪癱灘壇譚談歎湯燙濤絛討騰謄銻題體屜條貼鐵廳聽烴銅統頭圖塗團頹蛻脫鴕馱駝橢窪襪彎灣頑萬網韋"
    "違圍為濰維葦偉偽緯謂衛溫聞紋穩問甕撾蝸渦窩嗚鎢烏誣無蕪吳塢霧務誤錫犧襲習銑戲細蝦轄峽俠狹廈嚇鮮纖鹹賢銜"
    "閒顯險現獻縣餡羨憲線廂鑲鄉詳響項蕭銷曉嘯協挾攜脅諧寫瀉謝鋅釁興洶鏽繡虛噓須許緒續軒懸選癬絢學勳詢尋馴訓"
    "訊遜壓鴉鴨啞亞訝閹煙鹽嚴顏閻豔厭硯彥諺驗鴦楊揚瘍陽癢養樣瑤搖堯遙窯謠藥爺頁業葉醫銥頤遺儀蟻藝億憶義詣"
    "議誼譯異繹蔭陰銀飲隱櫻嬰鷹應纓瑩螢營熒蠅贏穎喲擁傭癰踴詠湧優憂郵鈾猶遊誘輿魚漁娛與嶼語籲禦獄譽預馭鴛淵"
    "轅園員圓緣遠願約躍鑰嶽粵悅閱雲鄖勻隕運蘊醞暈韻雜災載攢暫贊贓髒鑿棗責擇則澤賊贈紮劄軋鍘閘詐齋債氈盞斬"
    "輾嶄棧戰綻張漲帳賬脹趙蟄轍鍺這貞針偵診鎮陣掙睜猙爭幀鄭證織職執紙摯擲幟質滯鍾終種腫眾謅軸皺晝驟豬諸誅燭"
    "矚囑貯鑄築駐專磚轉賺樁莊裝妝壯狀錐贅墜綴諄準濁茲資漬蹤綜總縱鄒詛組鑽"
)
_SIMP = (
    "爱碍袄罢坝摆败颁办帮绑宝报贝备笔币闭边编变标表别宾饼拨补财参蚕残惭惨仓舱层产长场尝厂畅车彻尘陈称诚惩"
    "迟驰齿冲虫筹丑处触传创闯辞从聪丛凑窜达带贷担单胆当党档导灯邓敌递点电钓调顶订东动冻斗独读赌断对兑吨夺"
    "恶儿尔发罚阀范饭访纺飞废费纷坟奋愤粪丰风疯锋冯肤妇复负该盖赶干刚钢纲岗镐个给巩贡沟够购构顾关观馆惯广规"
    "归龟柜贵国过还汉号阂贺轰红后护沪划华哗画话坏欢环换焕黄挥辉会汇汇绘浑货获祸击机积饥极辑几计记际济继价"
    "驾艰监坚歼间拣简见荐舰鉴将桨奖讲胶浇骄娇搅饺绞脚较阶节杰洁结届紧锦谨进尽劲茎经惊颈静镜纠旧驹举据锯剧卷"
    "觉绝军开凯颗壳课恳垦库夸块亏馈扩阔蜡腊来赖蓝栏拦篮兰烂滥劳涝乐泪类垒离里礼厉励历历隶俩联怜帘连镰练粮"
    "凉两辆谅疗辽猎临邻鳞龄灵岭领刘龙聋陇楼娄陆录驴屡缕滤绿乱抡轮论罗萝锣骡络妈玛码蚂马骂吗买麦卖迈脉蛮满猫"
    "锚铆贸么没们梦弥谜觅绵缅庙灭悯闽鸣铭谋亩纳难挠脑恼闹馁内拟腻酿鸟宁拧泞纽农浓脓诺欧殴盘庞赔喷鹏骗飘频贫"
    "苹凭评泼颇扑铺朴谱栖齐骑岂启气弃讫牵铅迁签谦钱钳潜浅谴枪墙蔷强抢锹桥乔侨翘窍亲轻氢倾顷请庆穷琼区躯驱"
    "龋权劝确让饶扰绕热认韧荣绒软锐润洒萨赛伞丧骚扫涩杀纱筛晒闪陕赡伤赏烧绍赊摄慑设绅审婶肾渗声绳胜圣师狮湿"
    "诗尸时蚀实识驶势适释饰视试寿兽枢输书赎属术树竖数帅双谁税顺说硕烁丝饲耸怂颂讼诵擞苏诉肃虽随绥岁孙损笋缩"
    "琐锁獭挞态摊贪瘫滩坛谭谈叹汤烫涛绦讨腾誊锑题体屉条贴铁厅听烃铜统头图涂团颓蜕脱鸵驮驼椭洼袜弯湾顽万网韦"
    "违围为潍维苇伟伪纬谓卫温闻纹稳问瓮挝蜗涡窝呜钨乌诬无芜吴坞雾务误锡牺袭习铣戏细虾辖峡侠狭厦吓鲜纤咸贤衔"
    "闲显险现献县馅羡宪线厢镶乡详响项萧销晓啸协挟携胁谐写泻谢锌衅兴汹锈绣虚嘘须许绪续轩悬选癣绚学勋询寻驯训"
    "讯逊压鸦鸭哑亚讶阉烟盐严颜阎艳厌砚彦谚验鸯杨扬疡阳痒养样瑶摇尧遥窑谣药爷页业叶医铱颐遗仪蚁艺亿忆义诣"
    "议谊译异绎荫阴银饮隐樱婴鹰应缨莹萤营荧蝇赢颖哟拥佣痈踊咏涌优忧邮铀犹游诱舆鱼渔娱与屿语吁御狱誉预驭鸳渊"
    "辕园员圆缘远愿约跃钥岳粤悦阅云郧匀陨运蕴酝晕韵杂灾载攒暂赞赃脏凿枣责择则泽贼赠扎札轧铡闸诈斋债毡盏斩"
    "辗崭栈战绽张涨帐账胀赵蛰辙锗这贞针侦诊镇阵挣睁狰争帧郑证织职执纸挚掷帜质滞钟终种肿众诌轴皱昼骤猪诸诛烛"
    "瞩嘱贮铸筑驻专砖转赚桩庄装妆壮状锥赘坠缀谆准浊兹资渍踪综总纵邹诅组钻"
)
_T2S = str.maketrans(_TRAD, _SIMP)


def normalize(text: str) -> str:
    """The canonical form two answers are compared in (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_T2S)
    return "".join(c for c in folded if not (c.isspace() or unicodedata.category(c)[0] in "PZC"))


def answer_hash(salt: bytes, puzzle: str, step: str, answer: str) -> bytes:
    """The stored form of an accepted answer (or of an attempt, to compare with it)."""
    msg = "\x00".join((puzzle, step, normalize(answer))).encode()
    return hmac.new(salt, msg, hashlib.sha256).digest()


def matches(salt: bytes, puzzle: str, step: str, attempt: str, accepted: frozenset[bytes]) -> bool:
    """True if ``attempt`` normalizes to one of the ``accepted`` hashes (each compared in constant time)."""
    digest = answer_hash(salt, puzzle, step, attempt)
    return any(hmac.compare_digest(digest, h) for h in accepted)
