/**
 * The one stylesheet of the hosted pages. The accent colour is prepended from
 * configuration (see assets.ts); nothing is inline, so the CSP needs no 'unsafe-inline'.
 */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1d22;background:#f4f5f7}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem}
header.top{background:#fff;border-bottom:1px solid #dde0e6}
header.top .bar{max-width:64rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
.brand{font-weight:700;font-size:1.125rem;color:#1b1d22;text-decoration:none;margin-right:auto}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav a[aria-current="page"]{font-weight:700;text-decoration:none}
main{max-width:64rem;margin:0 auto;padding:1.5rem 1rem 3rem}
main.narrow{max-width:28rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.25rem;margin:0 0 .75rem}
section.card{background:#fff;border:1px solid #dde0e6;border-radius:.5rem;padding:1.25rem;margin:0 0 1.25rem}
form.stack>*+*{margin-top:1rem}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.field .hint{display:block;color:#4a4f59;font-size:.875rem;margin-bottom:.25rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem}
.note{color:#4a4f59;font-size:.875rem}
ul.plain{list-style:none;margin:0;padding:0}
input[type=text],input[type=password],input[type=search],input[type=email],select{width:100%;max-width:100%;font:inherit;padding:.5rem .625rem;border:1px solid #8a909c;border-radius:.375rem;background:#fff;color:inherit}
input[aria-invalid="true"]{border-color:#b3261e;border-width:2px}
.field-error{color:#b3261e;font-weight:600;margin:.25rem 0 0}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:.375rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent)}
button.danger{background:#fff;color:#b3261e;border-color:#b3261e}
button:disabled{opacity:.6;cursor:progress}
.inline{display:inline}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.row .field{flex:1 1 12rem}
.notice{border-left:4px solid #1e7d3a;background:#eaf6ed;padding:.75rem 1rem;margin:0 0 1.25rem;border-radius:.25rem}
.alert{border-left:4px solid #b3261e;background:#fdeceb;padding:.75rem 1rem;margin:0 0 1.25rem;border-radius:.25rem}
.alert p,.notice p{margin:0}
.secret{background:#fffbe6;border:1px solid #e0c45c;border-radius:.5rem;padding:1rem;margin:0 0 1.25rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.secret code{display:block;padding:.5rem;background:#fff;border:1px solid #e0c45c;border-radius:.25rem;margin:.5rem 0;user-select:all}
.table-wrap{overflow-x:auto;margin:0 0 1rem;position:relative}
.table-wrap:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
th,td{text-align:left;padding:.5rem .5rem;border-bottom:1px solid #e4e6eb;vertical-align:top}
th{font-weight:600;white-space:nowrap}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;background:#e8eaf0;font-size:.8125rem}
.muted{color:#4a4f59}
.pager{display:flex;gap:1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:30rem){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}}
`
