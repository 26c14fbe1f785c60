"""Every problem an exhibitor can be shown, with its text in Chinese and English.

Three kinds: our own rules (budgets and safety, ``MESSAGES``), the reference validator's codes that
exhibitors actually hit, said so a non-specialist knows what to do (``REFERENCE``), and one generic
line for every other reference code, naming the code and where it is (``reference_text``).
Parameters are filled with ``str.format``.
"""

from __future__ import annotations

E, W, INFO = "error", "warning", "info"
REEXPORT_ZH, REEXPORT_EN = "请用建模软件重新导出。", "Export it again from your modelling tool."

MESSAGES: dict[str, tuple[str, str, str]] = {
    # the upload as a whole
    "EMPTY_FILE": (E, "文件是空的。", "The file is empty."),
    "NOT_GLTF": (E, "文件不是 glTF（既不是 .glb，也不是 .gltf JSON 或 zip 包）。",
                 "Not a glTF file (neither .glb, nor .gltf JSON, nor a zip of them)."),
    "FILE_TOO_LARGE": (E, "上传内容共 {size} 字节，超过上限 {limit} 字节。",
                       "The upload is {size} bytes, over the limit of {limit} bytes."),
    "PACKAGE_NO_MODEL": (E, "上传的文件夹或压缩包里没有 .gltf 或 .glb 文件。",
                         "The folder or zip holds no .gltf or .glb file."),
    "PACKAGE_MANY_MODELS": (E, "上传内容里有多个模型文件（{names}），只能有一个。",
                            "The upload holds several model files ({names}); exactly one is allowed."),
    "PACKAGE_BAD_PATH": (E, "文件名“{name}”不安全（绝对路径、.. 或反斜杠）。",
                         "The file name '{name}' is unsafe (absolute, '..' or backslash)."),
    # zip packages
    "ZIP_INVALID": (E, "压缩包已损坏或格式不支持：{detail}。", "The zip is damaged or unsupported: {detail}."),
    "ZIP_TOO_MANY_ENTRIES": (E, "压缩包有 {count} 个条目，超过上限 {limit}。",
                             "The zip has {count} entries, over the limit of {limit}."),
    "ZIP_UNSAFE_PATH": (E, "压缩包条目“{name}”的路径不安全（绝对路径、..、反斜杠或符号链接）。",
                        "Zip entry '{name}' has an unsafe path (absolute, '..', backslash or symlink)."),
    "ZIP_BOMB": (E, "压缩包条目“{name}”压缩比 {ratio:.0f}:1，疑似压缩炸弹。",
                 "Zip entry '{name}' expands {ratio:.0f}:1: a zip bomb."),
    "ZIP_ENCRYPTED": (E, "压缩包条目“{name}”已加密，无法检查。",
                      "Zip entry '{name}' is encrypted and cannot be checked."),
    "ZIP_SIZE_MISMATCH": (E, "压缩包条目“{name}”的实际大小与声明不符。",
                          "Zip entry '{name}' does not have the size its header declares."),
    "ZIP_DUPLICATE": (E, "压缩包里有重复的条目“{name}”。", "The zip holds entry '{name}' twice."),
    # resources: only files inside the upload
    "URI_ABSOLUTE": (E, "不允许绝对或外部地址“{uri}”；请把资源放进上传的文件里。",
                     "Absolute or external URI '{uri}' is not allowed; include the resource in the upload."),
    "URI_TRAVERSAL": (E, "地址“{uri}”用 .. 指向上传内容之外。", "URI '{uri}' uses '..' to reach outside the upload."),
    "URI_INVALID": (E, "地址“{uri}”无效。", "URI '{uri}' is malformed."),
    # the sandboxed decoders
    "DECODER_FAILED": (E, "模型无法解码（文件可能已损坏）：{detail}。请重新导出后再上传。",
                       "The model could not be decoded (the file may be damaged): {detail}. Export it again."),
    "DECODER_LIMIT": (E, "解码模型超出了时间或内存限制（{detail}），文件可能已损坏或过于复杂。",
                      "Decoding the model went over its time or memory limit ({detail}); the file may be damaged "
                      "or too complex."),
    "TOOLCHAIN_MISSING": (E, "本机缺少模型检查工具：{detail}。",
                          "The model checking tools are missing here: {detail}."),
    # budgets: what a booth may cost to load and draw
    "TOO_MANY_TRIANGLES": (E, "模型有 {count} 个三角形，上限 {limit}；请减面（Blender：精简修改器）。",
                           "The model has {count} triangles; the limit is {limit}. Simplify it (Blender: Decimate)."),
    "TOO_MANY_DRAW_CALLS": (E, "模型有 {count} 个网格部件，上限 {limit}；请合并网格或材质。",
                            "The model has {count} mesh parts to draw; the limit is {limit}. Join meshes or "
                            "materials."),
    "TOO_MANY_TEXTURE_PIXELS": (E, "贴图共 {count} 像素，上限 {limit}；请减少或缩小贴图。",
                                "The textures hold {count} pixels together; the limit is {limit}. Use fewer or "
                                "smaller textures."),
    "NODE_DEPTH": (E, "节点层级深 {depth} 层，上限 {limit}。",
                   "The node hierarchy is {depth} deep; the limit is {limit}."),
    "TOO_MANY_NODES": (E, "模型有 {count} 个节点，上限 {limit}。",
                       "The model has {count} nodes; the limit is {limit}."),
    "SCENE_TOO_LARGE": (E, "模型最大尺寸 {extent:.0f} 个单位，按毫米换算也超过 {limit:.0f} 米，无法放进展位。",
                        "The model is {extent:.0f} units across: over {limit:.0f} m even read as millimetres, too "
                        "big for any booth."),
    "MODEL_EMPTY": (E, "模型的场景里没有可以摆放到展位上的几何体。",
                    "The model's scene places no geometry to put in the booth."),
    # what normalisation did (infos: the model was accepted as changed)
    "NORMALISED_DRACO": (INFO, "已解压 Draco 压缩的几何体。", "Draco-compressed geometry decoded."),
    "NORMALISED_MESHOPT": (INFO, "已解压 meshopt 压缩的几何体。", "meshopt-compressed geometry decoded."),
    "NORMALISED_QUANTIZED": (INFO, "已把量化的顶点数据还原为浮点数。",
                             "Quantized vertex data converted back to floats."),
    "NORMALISED_SPARSE": (INFO, "已把稀疏访问器展开为完整数据。", "Sparse accessors expanded to dense data."),
    "NORMALISED_KTX2": (INFO, "已把 KTX2/Basis 贴图转为 PNG。", "KTX2/Basis textures transcoded to PNG."),
    "NORMALISED_WEBP": (INFO, "已把 WebP 贴图转为 PNG。", "WebP textures converted to PNG."),
    "NORMALISED_AVIF": (INFO, "已把 AVIF 贴图转为 PNG。", "AVIF textures converted to PNG."),
    "NORMALISED_INSTANCES": (INFO, "已展开 GPU 实例化的网格。", "GPU-instanced meshes expanded."),
    "NORMALISED_RESIZED": (INFO, "过大的贴图已缩小到最长边 {px} 像素。",
                           "Oversized textures resized to {px} px on the longer side."),
    "NORMALISED_SCALED": (INFO, "按{unit_zh}缩放 ×{scale}（模型尺寸 {extent:.0f} 个单位）。",
                          "scaled from {unit_en} x{scale} (the model was {extent:.0f} units across)."),
}

UNIT_NAMES = {"mm": ("毫米", "millimetres"), "cm": ("厘米", "centimetres")}

# The reference validator's codes that exhibitors' files actually trip over, said plainly.
REFERENCE: dict[str, tuple[str, str]] = {
    "ACCESSOR_WEIGHTS_NON_NORMALIZED": (
        "蒙皮权重之和不等于 1：请在建模软件里规范化权重（Blender：权重绘制 → 规范化全部）后重新导出。",
        "Skin weights do not add up to 1: normalise the weights in your modelling tool (Blender: Weight Paint > "
        "Normalize All) and export again."),
    "ACCESSOR_MIN_MISMATCH": ("顶点数据的最小值与文件声明的不符，文件可能被其他工具改写过。" + REEXPORT_ZH,
                              "The vertex data's minimum differs from what the file declares; another tool may have "
                              "changed it. " + REEXPORT_EN),
    "ACCESSOR_MAX_MISMATCH": ("顶点数据的最大值与文件声明的不符，文件可能被其他工具改写过。" + REEXPORT_ZH,
                              "The vertex data's maximum differs from what the file declares; another tool may have "
                              "changed it. " + REEXPORT_EN),
    "ACCESSOR_INVALID_FLOAT": ("模型数据里有无效数字（NaN 或无穷大）。" + REEXPORT_ZH,
                               "The model data holds invalid numbers (NaN or infinity). " + REEXPORT_EN),
    "ACCESSOR_INDEX_OOB": ("三角形引用了不存在的顶点，文件已损坏。" + REEXPORT_ZH,
                           "A triangle refers to a vertex that does not exist: the file is damaged. " + REEXPORT_EN),
    "ACCESSOR_NON_UNIT": ("法线或旋转数据不是单位长度。" + REEXPORT_ZH,
                          "Normals or rotations are not unit length. " + REEXPORT_EN),
    "ROTATION_NON_UNIT": ("节点的旋转不是单位四元数。" + REEXPORT_ZH,
                          "A node's rotation is not a unit quaternion. " + REEXPORT_EN),
    "ACCESSOR_ANIMATION_INPUT_NON_INCREASING": ("动画关键帧的时间没有按顺序递增。" + REEXPORT_ZH,
                                                "Animation key times do not increase. " + REEXPORT_EN),
    "ACCESSOR_INVALID_IBM": ("骨骼的逆绑定矩阵无效。" + REEXPORT_ZH,
                             "A skin's inverse bind matrices are invalid. " + REEXPORT_EN),
    "IO_ERROR": ("模型引用的文件没有一起上传：请把 .gltf 和它的 .bin、贴图放在同一个文件夹或 zip 里上传，"
                 "或导出为 .glb。",
                 "A file the model refers to was not uploaded: upload the .gltf with its .bin and textures as one "
                 "folder or zip, or export a .glb."),
    "INVALID_JSON": ("文件不是完整的 glTF：内容无法解析，可能下载或导出时中断了。",
                     "The file is not complete glTF: it cannot be parsed; a download or export may have been cut off."),
    "UNKNOWN_ASSET_MAJOR_VERSION": ("这是旧版 glTF 1.0 文件，请导出为 glTF 2.0。",
                                    "This is an old glTF 1.0 file: export it as glTF 2.0."),
    "BUFFER_BYTE_LENGTH_MISMATCH": ("模型的二进制数据长度不对，文件可能被截断。" + REEXPORT_ZH,
                                    "The model's binary data has the wrong length: the file may be truncated. "
                                    + REEXPORT_EN),
    "BUFFER_VIEW_TOO_LONG": ("模型的数据超出了文件末尾，文件可能被截断。" + REEXPORT_ZH,
                             "The model's data runs past the end of the file: it may be truncated. " + REEXPORT_EN),
    "ACCESSOR_TOO_LONG": ("模型的数据超出了文件末尾，文件可能被截断。" + REEXPORT_ZH,
                          "The model's data runs past the end of the file: it may be truncated. " + REEXPORT_EN),
    "IMAGE_DATA_INVALID": ("贴图图片已损坏，无法读取。请重新保存贴图后再导出。",
                           "A texture image is damaged and cannot be read. Save the texture again and re-export."),
    "IMAGE_UNRECOGNIZED_FORMAT": ("贴图格式无法识别：请使用 PNG、JPEG、WebP 或 KTX2。",
                                  "A texture's format is not recognised: use PNG, JPEG, WebP or KTX2."),
    "IMAGE_UNEXPECTED_EOS": ("贴图图片不完整（文件被截断）。", "A texture image is incomplete (truncated)."),
    "NODE_LOOP": ("节点层级中有循环，模型无法摆放。" + REEXPORT_ZH,
                  "The node hierarchy loops back on itself, so the model cannot be placed. " + REEXPORT_EN),
    "UNRESOLVED_REFERENCE": ("文件内部引用了不存在的对象，文件已损坏。" + REEXPORT_ZH,
                             "The file refers to something it does not contain: it is damaged. " + REEXPORT_EN),
    "GLB_UNEXPECTED_END_OF_CHUNK_HEADER": ("GLB 文件不完整，可能下载或导出时中断了。",
                                           "The GLB file is incomplete; a download or export may have been cut off."),
    "GLB_UNEXPECTED_END_OF_CHUNK_DATA": ("GLB 文件不完整，可能下载或导出时中断了。",
                                         "The GLB file is incomplete; a download or export may have been cut off."),
    "GLB_UNEXPECTED_END_OF_HEADER": ("GLB 文件不完整，可能下载或导出时中断了。",
                                     "The GLB file is incomplete; a download or export may have been cut off."),
    "UNSUPPORTED_EXTENSION": ("模型使用了我们不认识的扩展，相关效果不会显示。",
                              "The model uses an extension we do not know; its effect will not be shown."),
}


def reference_text(code: str, pointer: str, severity: str) -> tuple[str, str]:
    """(zh, en) for a reference validator finding: the plain sentence if there is one, else a generic line."""
    if code in REFERENCE:
        return REFERENCE[code]
    where = pointer or "/"
    if severity == E:
        return (f"模型文件不符合 glTF 2.0 规范（{code}，位置 {where}）。" + REEXPORT_ZH,
                f"The model breaks the glTF 2.0 specification ({code} at {where}). " + REEXPORT_EN)
    return (f"模型文件有一处可以改进（{code}，位置 {where}），不影响上传。",
            f"The model could be improved ({code} at {where}); this does not stop the upload.")
