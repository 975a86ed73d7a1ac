" jx files
autocmd BufRead,BufNewFile *.jx setfiletype jx
