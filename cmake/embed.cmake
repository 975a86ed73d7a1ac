# Embed the file IN as a C string named jx_prelude_src in OUT.
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
file(WRITE ${OUT} "/* generated from stdlib/prelude.jx; do not edit */\nconst char jx_prelude_src[] = {${content} 0x00};\n")
