const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text into HTML (element content and quoted attributes). Everything shown goes through it. */
export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/admin.css"></head>
<body><header><h1>vmsync</h1><span>${esc(title)}</span></header><main>${body}</main></body></html>`;
}

export const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f5f6f8; }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1.2em; background: #1d2433; color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
main { padding: 1em 1.2em; max-width: 1200px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6em 1em; margin-bottom: 1em; }
h2 { font-size: 1.05em; margin: .3em 0 .6em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #eef0f3; vertical-align: top; }
th { font-weight: 600; color: #556; }
.ok { color: #17803d; font-weight: 600; }
.failing, .fail { color: #b42318; font-weight: 600; }
.unknown, .muted { color: #778; }
.problem { background: #fff4f2; border-left: 4px solid #b42318; padding: .4em .8em; margin: .4em 0; }
form.inline { display: flex; gap: .5em; align-items: center; flex-wrap: wrap; }
input, select, button { font: inherit; padding: .3em .5em; }
button { cursor: pointer; }
code { font-size: .95em; }
`;
