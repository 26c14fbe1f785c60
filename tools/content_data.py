"""Seed tables for the fair's invented exhibitors: names, prose, projects, products.

Every institution here is invented (place-like prefixes that name no real
organisation); products carry common regional product names. Text keeps to
characters GB2312 covers, so the font subset renders all of it
(tests/test_assets.py). tools/build_content.py combines these per booth.
"""

from __future__ import annotations

# prefix (zh, en) for invented institution names
PREFIXES = [
    ("青山", "Green Hills"), ("云岭", "Cloud Ridge"), ("溪源", "Creekhead"), ("石门", "Stone Gate"),
    ("桃源", "Peach Spring"), ("松涛", "Pine Wave"), ("禾丰", "Good Harvest"), ("明月", "Bright Moon"),
    ("清泉", "Clear Spring"), ("山海", "Mountain & Sea"), ("星火", "Spark"), ("春苗", "Spring Sprout"),
    ("暖阳", "Warm Sun"), ("晨光", "Morning Light"), ("绿野", "Green Fields"), ("长风", "Long Wind"),
    ("和美", "Harmony"), ("同心", "One Heart"), ("善行", "Good Deeds"), ("益路", "Charity Road"),
    ("麦田", "Wheatfield"), ("蒲公英", "Dandelion"), ("远山", "Far Mountain"), ("南岭", "South Ridge"),
    ("北辰", "North Star"), ("向阳", "Sunward"), ("新禾", "New Grain"), ("春晖", "Spring Glow"),
    ("彩虹", "Rainbow"), ("知行", "Learn & Do"), ("仁和", "Kindness"), ("海燕", "Petrel"),
]

CATEGORIES = {
    "rural": ("乡村振兴", "Rural revitalization"),
    "education": ("教育助学", "Education"),
    "elderly": ("养老助老", "Elderly care"),
    "relief": ("应急救灾", "Emergency relief"),
    "health": ("医疗健康", "Health"),
    "children": ("儿童关爱", "Children"),
    "environment": ("生态环保", "Environment"),
    "culture": ("文化传承", "Culture"),
    "goods": ("好物出山", "Rural treasures"),
    "scenery": ("百县百景", "Hundred counties, hundred views"),
    "service": ("展会服务", "Fair services"),
}

# category -> [(org type zh, org type en)]
ORG_TYPES = {
    "rural": [("乡村发展基金会", "Rural Development Foundation"),
              ("乡村振兴促进会", "Rural Revitalization Association"),
              ("农业公益服务中心", "Agricultural Public Service Centre")],
    "education": [("助学基金会", "Education Foundation"), ("乡村图书馆公益中心", "Village Library Centre"),
                  ("教师成长公益计划", "Teacher Growth Programme")],
    "elderly": [("养老服务中心", "Elderly Care Centre"), ("银龄互助会", "Silver Age Mutual Aid Society")],
    "relief": [("应急救援队", "Emergency Rescue Team"), ("防灾减灾促进会", "Disaster Reduction Association")],
    "health": [("健康公益基金会", "Health Foundation"), ("乡村医生支持中心", "Village Doctor Support Centre")],
    "children": [("儿童关爱中心", "Children's Care Centre"), ("童伴成长计划", "Growing Together Programme")],
    "environment": [("生态保护协会", "Ecological Conservation Society"), ("绿色家园公益中心", "Green Home Centre")],
    "culture": [("非遗传承中心", "Intangible Heritage Centre"), ("慈善文化研究院", "Institute of Charity Culture"),
                ("公益影像工作室", "Charity Film Studio"), ("志愿服务联合会", "Volunteer Federation")],
    "goods": [("农产品合作社", "Farmers' Cooperative"), ("手工艺合作社", "Handicraft Cooperative"),
              ("山货助农驿站", "Mountain Produce Station")],
}

# category -> intro templates; {name} {year} {counties} {people} {volunteers}
INTROS = {
    "rural": (
        "{name}成立于{year}年，长期扎根山区县，围绕产业、人才、文化、生态、组织五个方面推动乡村振兴。"
        "我们与{counties}个县的村集体和合作社结对，帮助农户把好产品卖出好价钱，累计带动{people}户家庭增收，"
        "并培养了一批懂技术、会经营的乡村带头人。",
        "Founded in {year}, {name} works in mountain counties on industry, talent, culture, ecology and "
        "village organisation. Paired with collectives and cooperatives in {counties} counties, it helps "
        "farmers sell good produce at fair prices; {people} households have raised their income.",
    ),
    "education": (
        "{name}成立于{year}年，致力于让乡村孩子享有公平而有质量的教育。我们在{counties}个县建设乡村图书角、"
        "资助家庭困难学生、支持乡村教师培训，已有{people}名学生受益，{volunteers}名志愿者参与支教和线上辅导。",
        "Since {year}, {name} has worked for fair, good-quality education for rural children: reading corners, "
        "grants for students in need and training for village teachers in {counties} counties. {people} students "
        "have benefited, with {volunteers} volunteers teaching in person and online.",
    ),
    "elderly": (
        "{name}成立于{year}年，关注农村留守老人和失能老人的生活照料与精神慰藉。我们在{counties}个县建立邻里互助点，"
        "组织{volunteers}名志愿者定期上门探访，提供助餐、助洁、助医服务，累计服务老人{people}人次。",
        "Founded in {year}, {name} cares for elderly villagers living alone or with disabilities. Neighbourhood "
        "help points in {counties} counties and {volunteers} volunteers bring meals, cleaning and health visits; "
        "{people} visits so far.",
    ),
    "relief": (
        "{name}成立于{year}年，是一支专业化的社会应急力量。我们在{counties}个县开展防灾减灾培训和应急演练，"
        "灾害发生时第一时间参与搜救、物资发放和灾后重建，已有{volunteers}名队员通过专业认证，"
        "累计服务群众{people}人次。",
        "Founded in {year}, {name} is a professional community emergency force. It runs disaster-preparedness "
        "training and drills in {counties} counties, and joins search and rescue, relief distribution and "
        "rebuilding when disaster strikes. {volunteers} certified members have served {people} people.",
    ),
    "health": (
        "{name}成立于{year}年，支持乡村医生提升能力，为偏远地区群众提供义诊、健康筛查和慢病管理。"
        "我们已在{counties}个县开展巡回义诊，服务群众{people}人次，并为村卫生室捐赠常用医疗设备。",
        "Founded in {year}, {name} trains village doctors and brings free clinics, health screening and "
        "chronic-disease care to remote areas. Mobile clinics have visited {counties} counties and served "
        "{people} people; village clinics received basic equipment.",
    ),
    "children": (
        "{name}成立于{year}年，为留守儿童和困境儿童提供陪伴、心理支持和安全教育。我们在{counties}个县设立"
        "儿童之家，{volunteers}名志愿者每周开展阅读、运动和艺术活动，已陪伴{people}名孩子成长。",
        "Founded in {year}, {name} offers company, emotional support and safety education to left-behind "
        "children. Children's homes in {counties} counties host weekly reading, sport and art with "
        "{volunteers} volunteers; {people} children have taken part.",
    ),
    "environment": (
        "{name}成立于{year}年，守护乡村的青山绿水。我们组织村民开展垃圾分类、河道清理和植树造林，"
        "在{counties}个县推广生态种植，带动{people}户农户参与，让绿水青山变成金山银山。",
        "Founded in {year}, {name} protects the countryside's hills and rivers: waste sorting, river clean-ups "
        "and tree planting with villagers, and ecological farming in {counties} counties with {people} "
        "households taking part.",
    ),
    "culture": (
        "{name}成立于{year}年，致力于传播慈善文化、保护和传承乡村非物质文化遗产。我们在{counties}个县记录"
        "传统技艺，开设公益课堂和展览，{volunteers}名志愿者参与讲解和推广，累计吸引{people}人次参与。",
        "Founded in {year}, {name} spreads charity culture and keeps rural intangible heritage alive: it "
        "records traditional crafts in {counties} counties and runs classes and exhibitions, with {volunteers} "
        "volunteer guides and {people} participants.",
    ),
    "goods": (
        "{name}成立于{year}年，由{counties}个村的农户和手艺人共同组建。我们坚持生态种植、传统工艺，"
        "统一品质标准和包装，通过“好物出山”把山里的好东西带到城市，让{people}户家庭稳定增收。",
        "Founded in {year} by farmers and craftspeople of {counties} villages, {name} keeps to ecological "
        "farming and traditional crafts with shared quality standards and packaging; through Rural Treasures it "
        "brings mountain produce to the cities, giving {people} households a steady income.",
    ),
}

# category -> [(name zh, name en, summary zh, summary en)]
PROJECTS = {
    "rural": [
        ("一村一品产业帮扶", "One Village, One Product", "帮助每个村找到一个特色产业，提供种苗、技术和销售渠道。",
         "Helps each village build one signature industry with seedlings, know-how and sales channels."),
        ("乡村带头人培养计划", "Village Leaders Programme", "为返乡青年和村干部提供经营、电商和合作社管理培训。",
         "Trains returning youth and village officers in business, e-commerce and cooperative management."),
        ("美丽庭院改造", "Beautiful Courtyards", "与村民一起改造庭院和公共空间，提升人居环境。",
         "Renews courtyards and public spaces together with villagers."),
        ("消费帮扶直通车", "Direct Sales Express", "连接城市社区与乡村合作社，让农产品直达餐桌。",
         "Links city neighbourhoods with rural cooperatives so produce goes straight to the table."),
        ("乡村电商服务站", "Village E-commerce Stations", "在村里建设电商服务站，教农户拍照、直播和发货。",
         "Sets up village stations that teach photography, live streaming and shipping."),
    ],
    "education": [
        ("乡村图书角", "Village Reading Corners", "为乡村小学配备图书和书架，培训老师开展阅读课。",
         "Books and shelves for village schools, and teachers trained to run reading classes."),
        ("春苗助学金", "Spring Sprout Grants", "资助家庭困难的高中生和大学生完成学业。",
         "Grants that help students from families in need finish high school and university."),
        ("乡村教师成长营", "Village Teacher Camp", "暑期为乡村教师提供专业培训和交流机会。",
         "Summer training and exchange for village teachers."),
        ("云端支教课堂", "Cloud Classroom", "志愿者通过网络为乡村学校上英语、美术和科学课。",
         "Volunteers teach English, art and science to village schools online."),
    ],
    "elderly": [
        ("老人食堂", "Community Canteens", "在村里开办老人食堂，为高龄和独居老人提供热饭热菜。",
         "Village canteens serving hot meals to older and lone residents."),
        ("银龄陪伴热线", "Silver Companion Hotline", "志愿者每周电话问候独居老人，及时发现困难。",
         "Volunteers call lone elders every week and spot problems early."),
        ("适老化改造", "Age-friendly Homes", "为困难老人家庭加装扶手、防滑地面和夜灯。",
         "Handrails, non-slip floors and night lights for elders in need."),
    ],
    "relief": [
        ("社区应急第一响应人", "Community First Responders", "培训村民掌握心肺复苏、急救包扎和避险逃生技能。",
         "Trains villagers in CPR, first aid and evacuation."),
        ("应急物资储备库", "Relief Supply Depots", "在易灾县建设物资储备点，灾后24小时内发放到户。",
         "Supply depots in disaster-prone counties; relief reaches homes within 24 hours."),
        ("灾后家园重建", "Rebuilding Homes", "为受灾家庭修缮房屋，恢复生产生活。",
         "Repairs homes for affected families and restores their livelihoods."),
    ],
    "health": [
        ("乡村医生培训", "Village Doctor Training", "组织城市医生到县乡开展带教和远程会诊。",
         "City doctors mentor county doctors and hold remote consultations."),
        ("流动义诊车", "Mobile Clinic", "义诊车定期进村，为群众免费体检和送药。",
         "A clinic van visits villages for free check-ups and medicine."),
        ("光明行动", "Bright Sight Action", "为贫困白内障患者免费实施复明手术。",
         "Free cataract surgery for patients in need."),
    ],
    "children": [
        ("儿童之家", "Children's Homes", "在村里建设儿童活动室，配备专职社工和志愿者。",
         "Village activity rooms with social workers and volunteers."),
        ("守护童心热线", "Child Heart Hotline", "为孩子和家长提供心理支持和成长指导。",
         "Emotional support and guidance for children and parents."),
        ("安全教育进校园", "Safety at School", "开展防溺水、交通安全和自我保护课程。",
         "Classes on water safety, road safety and self-protection."),
    ],
    "environment": [
        ("清河行动", "Clean Rivers", "组织志愿者定期清理河道垃圾，建立河流守护队。",
         "Volunteers clear rivers of rubbish and form river guard teams."),
        ("生态种植示范田", "Eco-farming Fields", "推广减肥减药的生态种植技术。",
         "Spreads farming with fewer fertilisers and pesticides."),
        ("万人植树", "Ten Thousand Trees", "每年春天组织城乡居民共同植树。",
         "Town and village residents plant trees together every spring."),
    ],
    "culture": [
        ("非遗进课堂", "Heritage in Class", "邀请传承人走进学校，教孩子剪纸、刺绣和竹编。",
         "Craft masters teach paper-cutting, embroidery and bamboo weaving in schools."),
        ("慈善文化讲堂", "Charity Culture Lectures", "以通俗的方式讲述中华慈善文化的历史与故事。",
         "Accessible talks on the history and stories of Chinese charity culture."),
        ("公益影像计划", "Charity Film Project", "用纪录片记录乡村变化和公益人物故事。",
         "Documentaries on village change and the people of charity."),
        ("志愿服务学院", "Volunteer Academy", "为志愿者提供系统培训和服务证书。",
         "Structured training and certificates for volunteers."),
    ],
    "goods": [
        ("好物出山匠品臻选", "Rural Treasures Selection", "精选乡村好物，统一品控，帮助农户对接城市消费者。",
         "Curated rural products with shared quality control, connecting farmers with city buyers."),
        ("合作社品牌计划", "Cooperative Brands", "帮助合作社设计包装、申请认证，打造自己的品牌。",
         "Helps cooperatives design packaging, get certified and build their own brand."),
    ],
}

# (zh, en, origin zh, origin en, price, picture kind, colour)
PRODUCTS = [
    ("秭归脐橙", "Zigui Navel Oranges", "湖北秭归", "Zigui, Hubei", 59, "fruit", "#f39c12"),
    ("黄山毛峰", "Huangshan Maofeng Tea", "安徽黄山", "Huangshan, Anhui", 128, "tea", "#6a994e"),
    ("苗绣手包", "Miao Embroidered Handbag", "贵州黔东南", "Qiandongnan, Guizhou", 168, "bag", "#c0392b"),
    ("五常大米", "Wuchang Rice", "黑龙江五常", "Wuchang, Heilongjiang", 79, "rice", "#e9d8a6"),
    ("洛川苹果", "Luochuan Apples", "陕西洛川", "Luochuan, Shaanxi", 69, "fruit", "#d62828"),
    ("百花蜂蜜", "Wildflower Honey", "云南怒江", "Nujiang, Yunnan", 88, "jar", "#e9a23b"),
    ("香菇干", "Dried Shiitake", "浙江庆元", "Qingyuan, Zhejiang", 45, "mushroom", "#8d6e63"),
    ("核桃", "Walnuts", "云南漾濞", "Yangbi, Yunnan", 55, "nuts", "#a47148"),
    ("小米", "Golden Millet", "山西沁州", "Qinzhou, Shanxi", 39, "rice", "#f4d35e"),
    ("红枣", "Red Dates", "新疆若羌", "Ruoqiang, Xinjiang", 49, "nuts", "#9d0208"),
    ("竹编果篮", "Bamboo Fruit Basket", "四川青神", "Qingshen, Sichuan", 98, "basket", "#c9a227"),
    ("蜡染围巾", "Batik Scarf", "贵州丹寨", "Danzhai, Guizhou", 128, "scarf", "#1d3557"),
    ("手工挂面", "Hand-pulled Noodles", "河南温县", "Wenxian, Henan", 29, "noodles", "#f1e3c6"),
    ("普洱茶饼", "Pu'er Tea Cake", "云南普洱", "Pu'er, Yunnan", 158, "tea", "#7f5539"),
    ("野生木耳", "Wild Wood-ear Fungus", "吉林长白山", "Changbai Mountains, Jilin", 59, "mushroom", "#2b2d42"),
    ("高山土豆", "Highland Potatoes", "甘肃定西", "Dingxi, Gansu", 25, "fruit", "#c8a165"),
    ("猕猴桃", "Kiwifruit", "陕西周至", "Zhouzhi, Shaanxi", 66, "fruit", "#7cb518"),
    ("辣椒酱", "Chilli Sauce", "贵州遵义", "Zunyi, Guizhou", 32, "jar", "#d00000"),
    ("青花瓷杯", "Blue-and-white Cup", "江西景德镇", "Jingdezhen, Jiangxi", 118, "ceramic", "#3a86ff"),
    ("土布抱枕", "Handwoven Cushion", "山东鄄城", "Juancheng, Shandong", 86, "scarf", "#588157"),
    ("剪纸画", "Paper-cut Picture", "陕西延川", "Yanchuan, Shaanxi", 68, "papercut", "#e63946"),
    ("布老虎", "Cloth Tiger Toy", "山东曹县", "Caoxian, Shandong", 58, "toy", "#f77f00"),
    ("茶油", "Camellia Seed Oil", "江西赣州", "Ganzhou, Jiangxi", 138, "bottle", "#bc6c25"),
    ("荞麦面", "Buckwheat Noodles", "四川凉山", "Liangshan, Sichuan", 35, "noodles", "#8d7b68"),
    ("花椒", "Sichuan Pepper", "四川汉源", "Hanyuan, Sichuan", 42, "nuts", "#9b2226"),
    ("藏香猪腊肉", "Cured Tibetan Pork", "西藏林芝", "Nyingchi, Tibet", 158, "jar", "#6f1d1b"),
    ("牦牛肉干", "Yak Jerky", "青海玉树", "Yushu, Qinghai", 98, "jar", "#5e503f"),
    ("枸杞", "Goji Berries", "宁夏中宁", "Zhongning, Ningxia", 58, "nuts", "#e5383b"),
    ("蓝莓", "Blueberries", "贵州麻江", "Majiang, Guizhou", 79, "fruit", "#3d405b"),
    ("赣南橙汁", "Orange Juice", "江西赣州", "Ganzhou, Jiangxi", 45, "bottle", "#fb8500"),
    ("紫砂壶", "Zisha Teapot", "江苏宜兴", "Yixing, Jiangsu", 268, "ceramic", "#7f4f24"),
    ("羌绣香囊", "Qiang Embroidered Sachet", "四川茂县", "Maoxian, Sichuan", 38, "bag", "#d90429"),
    ("竹筒饭", "Bamboo Tube Rice", "广西三江", "Sanjiang, Guangxi", 36, "rice", "#99d98c"),
    ("山核桃", "Hickory Nuts", "浙江临安", "Lin'an, Zhejiang", 76, "nuts", "#6c584c"),
    ("米酒", "Sweet Rice Wine", "湖南湘西", "Xiangxi, Hunan", 52, "bottle", "#f2e8cf"),
    ("黑茶", "Dark Tea", "湖南安化", "Anhua, Hunan", 96, "tea", "#3e2723"),
    ("银饰手镯", "Silver Bangle", "贵州雷山", "Leishan, Guizhou", 298, "ceramic", "#adb5bd"),
    ("葡萄干", "Raisins", "新疆吐鲁番", "Turpan, Xinjiang", 39, "nuts", "#7b2cbf"),
    ("芒果", "Mangoes", "广西百色", "Baise, Guangxi", 72, "fruit", "#ffb703"),
    ("桂花糕", "Osmanthus Cakes", "广西桂林", "Guilin, Guangxi", 33, "jar", "#ffd166"),
    ("藤编收纳篮", "Rattan Storage Basket", "云南西双版纳", "Xishuangbanna, Yunnan", 89, "basket", "#a68a64"),
    ("土蜂蜜", "Mountain Honey", "陕西秦岭", "Qinling, Shaanxi", 99, "jar", "#f4a261"),
    ("绿茶", "Spring Green Tea", "浙江安吉", "Anji, Zhejiang", 118, "tea", "#80b918"),
    ("石磨豆腐干", "Stone-ground Dried Tofu", "安徽黄山", "Huangshan, Anhui", 28, "jar", "#ddb892"),
    ("杂粮礼盒", "Mixed Grains Gift Box", "内蒙古赤峰", "Chifeng, Inner Mongolia", 89, "rice", "#b08968"),
    ("羊毛毡挂饰", "Felt Ornament", "甘肃甘南", "Gannan, Gansu", 48, "toy", "#e76f51"),
    ("扎染桌布", "Tie-dye Tablecloth", "云南大理", "Dali, Yunnan", 138, "scarf", "#4361ee"),
    ("柿饼", "Dried Persimmons", "陕西富平", "Fuping, Shaanxi", 59, "fruit", "#e85d04"),
    ("竹炭牙刷", "Bamboo Charcoal Toothbrush", "福建建瓯", "Jian'ou, Fujian", 19, "basket", "#344e41"),
    ("公益帆布袋", "Charity Canvas Tote", "广东深圳", "Shenzhen, Guangdong", 39, "bag", "#f1faee"),
    ("公益文创笔记本", "Charity Notebook", "广东深圳", "Shenzhen, Guangdong", 29, "book", "#457b9d"),
    ("手绘明信片", "Hand-drawn Postcards", "北京", "Beijing", 25, "book", "#ffafcc"),
]

PACKS = [("家庭装", "family pack"), ("礼盒装", "gift box"), ("尝鲜装", "taster pack")]

# 百县百景: (county zh, county en, view zh, view en, description zh, description en, palette)
SCENERY = [
    ("青溪县", "Qingxi County", "梯田云海", "Terraces in the Clouds",
     "清晨的云海漫过层层梯田，金色的稻浪在山间起伏。", "Morning clouds roll over terraced fields of golden rice.",
     ("#f6bd60", "#84a59d", "#f5cac3")),
    ("石泉县", "Shiquan County", "古镇夜色", "Old Town at Night",
     "青石板路和老街灯火，记录着千年古镇的烟火气。", "Stone lanes and lanterns keep a thousand-year-old town alive.",
     ("#22223b", "#4a4e69", "#f2e9e4")),
    ("云岭县", "Yunling County", "高山茶园", "Highland Tea Gardens",
     "茶园沿着山脊铺展，采茶人的歌声在山谷回荡。", "Tea rows follow the ridges while pickers sing in the valley.",
     ("#606c38", "#a3b18a", "#fefae0")),
    ("桃源县", "Taoyuan County", "桃花溪谷", "Peach Blossom Valley",
     "春天的溪谷开满桃花，竹筏顺流而下。", "In spring the valley blooms pink and bamboo rafts drift downstream.",
     ("#ffafcc", "#a2d2ff", "#cdb4db")),
    ("白河县", "Baihe County", "草原牧歌", "Grassland Song",
     "辽阔的草原上，牛羊与白云相伴。", "Cattle and sheep graze under white clouds on the open grassland.",
     ("#90be6d", "#43aa8b", "#f9f7f3")),
    ("金沙县", "Jinsha County", "大河峡谷", "Great River Gorge",
     "大河穿过峡谷，两岸是世代耕种的台地。", "A great river cuts the gorge past terraces farmed for generations.",
     ("#bc6c25", "#dda15e", "#283618")),
    ("雪松县", "Xuesong County", "雪山林海", "Snow Peaks and Forest",
     "雪山脚下的林海四季变换，是徒步者的天堂。", "Forests under the snow peaks change with every season.",
     ("#caf0f8", "#0077b6", "#2d6a4f")),
    ("海湾县", "Haiwan County", "渔村晚霞", "Fishing Village Sunset",
     "渔船归港，晚霞把海湾染成橙红。", "Boats come home as the sunset turns the bay orange.",
     ("#ff7b00", "#ffb703", "#023047")),
    ("花溪县", "Huaxi County", "油菜花海", "Sea of Rapeseed Flowers",
     "三月的油菜花铺满坝子，白墙黛瓦点缀其间。", "In March yellow rapeseed fills the plain around white-walled houses.",
     ("#ffd60a", "#9ef01a", "#ffffff")),
    ("龙潭县", "Longtan County", "瀑布秘境", "Hidden Waterfalls",
     "密林深处的瀑布群，水声如雷。", "Waterfalls thunder deep in the forest.",
     ("#2a9d8f", "#264653", "#e9f5db")),
    ("红岩县", "Hongyan County", "丹霞奇观", "Red Rock Wonders",
     "赤红的丹霞山体在阳光下格外壮观。", "Red sandstone cliffs glow in the sun.",
     ("#d00000", "#ffba08", "#3f88c5")),
    ("竹海县", "Zhuhai County", "万亩竹海", "Sea of Bamboo",
     "万亩竹林随风起伏，竹制品远销各地。", "A sea of bamboo sways in the wind; its crafts travel far.",
     ("#38b000", "#006400", "#ccff33")),
]
