" Vim syntax file
" Language:    jx (a small functional language with numpy-like arrays and
"              JAX-style transformations)
" Filenames:   *.jx
" Install:     see editors/vim/README.md

if exists("b:current_syntax")
  finish
endif

syn keyword jxStatement     let def fn lambda nextgroup=jxFuncName skipwhite
syn match   jxFuncName      "\h\w*" contained
syn keyword jxConditional   if else
syn keyword jxRepeat        for while in
syn keyword jxControl       return break continue
syn keyword jxOperatorWord  and or not
syn keyword jxBoolean       True False
syn keyword jxNone          None
syn keyword jxConstant      pi inf nan

syn keyword jxTransform     grad value_and_grad jvp vjp linearize vmap jacfwd jacrev hessian stop_gradient custom_jvp custom_vjp check_grads jit make_jaxpr cond while_loop fori_loop scan
syn keyword jxBuiltin       print len str repr range argv assert float int bool time keys values 
syn keyword jxBuiltin       items type format tree_map enumerate zip array asarray zeros ones empty full zeros_like ones_like 
syn keyword jxBuiltin       empty_like full_like arange linspace eye identity tri tril triu astype copy float64 float32 int64 
syn keyword jxBuiltin       int32 bool_ abs absolute sign exp log log1p expm1 sqrt sin cos tan arcsin arccos arctan sinh cosh 
syn keyword jxBuiltin       tanh floor ceil isnan isinf isfinite negative positive erf square reciprocal exp2 log2 log10 
syn keyword jxBuiltin       deg2rad radians rad2deg degrees trunc fix real conj conjugate logical_not add subtract multiply 
syn keyword jxBuiltin       divide true_divide floor_divide mod remainder maximum minimum arctan2 equal not_equal less 
syn keyword jxBuiltin       less_equal greater greater_equal power pow float_power logaddexp logical_and logical_or logical_xor 
syn keyword jxBuiltin       clip where round around rint isclose allclose array_equal sum mean prod max min amax amin ptp 
syn keyword jxBuiltin       argmax argmin var std all any count_nonzero norm cumsum logsumexp shape ndim size dtype reshape 
syn keyword jxBuiltin       ravel transpose permute_dims moveaxis swapaxes expand_dims squeeze atleast_1d atleast_2d 
syn keyword jxBuiltin       concatenate concat stack hstack vstack split array_split broadcast_to tile repeat flip flipud 
syn keyword jxBuiltin       fliplr roll take pad dot vdot matmul inner outer tensordot einsum trace diagonal diag assert_close 
syn keyword jxBuiltin       explain graph plot savefig load_csv save_csv load_npy save_npy
syn match   jxNamespace     "\<\(jnp\|np\|jax\|lax\|random\|nn\|linalg\|numpy\)\ze\."

syn match   jxComment       "#.*$" contains=jxTodo,@Spell
syn keyword jxTodo          TODO FIXME XXX NOTE contained

syn match   jxEscape        +\\[ntr\\"'0{}]+ contained
syn region  jxString        start=+"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=jxEscape,@Spell
syn region  jxString        start=+'+ skip=+\\\\\|\\'+ end=+'\|$+ contains=jxEscape,@Spell
syn region  jxFString       matchgroup=jxString start=+\<f"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=jxEscape,jxInterp
syn region  jxFString       matchgroup=jxString start=+\<f'+ skip=+\\\\\|\\'+ end=+'\|$+ contains=jxEscape,jxInterp
syn region  jxInterp        matchgroup=jxInterpDelim start=+{+ end=+}+ contained contains=jxNumber,jxBuiltin,jxTransform,jxNamespace,jxString

syn match   jxNumber        "\<\d[0-9_]*\(\.[0-9_]*\)\=\([eE][+-]\=\d[0-9_]*\)\=\>"
syn match   jxNumber        "\<\d[0-9_]*\.\ze\_[^0-9A-Za-z_]"
syn match   jxNumber        "\.\d[0-9_]*\([eE][+-]\=\d[0-9_]*\)\=\>"

syn match   jxArrow         "=>"
syn match   jxOperator      "\*\*\|//\|[-+*/%@<>=!&|~]"

hi def link jxStatement     Statement
hi def link jxFuncName      Function
hi def link jxConditional   Conditional
hi def link jxRepeat        Repeat
hi def link jxControl       Statement
hi def link jxOperatorWord  Operator
hi def link jxBoolean       Boolean
hi def link jxNone          Constant
hi def link jxConstant      Constant
hi def link jxTransform     Special
hi def link jxBuiltin       Function
hi def link jxNamespace     Type
hi def link jxComment       Comment
hi def link jxTodo          Todo
hi def link jxEscape        SpecialChar
hi def link jxString        String
hi def link jxFString       String
hi def link jxInterpDelim   Delimiter
hi def link jxNumber        Number
hi def link jxArrow         Operator
hi def link jxOperator      Operator

let b:current_syntax = "jx"
