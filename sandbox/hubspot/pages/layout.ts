/**
 * Server-rendered HTML for the emulator's app pages (authorize, login, record pages):
 * an escaping `html` template tag and the shared chrome and CSS.
 */

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: every interpolated value is escaped unless it is already `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

export interface PageChrome {
  title: string;
  body: SafeHtml;
  signedInAs?: { email: string; name: string; ownerId?: number };
  returnTo?: string;
  /** Extra markup for `<head>` (a later issue adds the calling widget script here). */
  head?: SafeHtml;
}

export function page(chrome: PageChrome): string {
  const user = chrome.signedInAs;
  const switchHref = `/login${chrome.returnTo ? `?returnTo=${encodeURIComponent(chrome.returnTo)}` : ''}`;
  return `<!doctype html>${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} | HubSpot (Spokes sandbox)</title>
<style>${new SafeHtml(CSS)}</style>
${chrome.head ?? ''}
</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><span class="sprocket" aria-hidden="true">&#x2699;</span> HubSpot <span class="tag">sandbox</span></a>
  ${user ? html`<div class="whoami" data-testid="signed-in-as" data-user-email="${user.email}" data-owner-id="${user.ownerId ?? ''}">Signed in as <strong>${user.name}</strong> &lt;${user.email}&gt;${user.ownerId !== undefined ? html` · owner ${user.ownerId}` : ''} · <a href="${switchHref}">Switch user</a></div>` : ''}
</header>
<main>${chrome.body}</main>
<footer class="foot">Spokes HubSpot emulator — not affiliated with HubSpot, Inc.</footer>
</body>
</html>`.value
  }`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Lexend Deca",-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;background:#f5f8fa;color:#33475b;font-size:14px;line-height:1.5}
a{color:#0091ae;text-decoration:none}a:hover{text-decoration:underline}
.topbar{display:flex;align-items:center;justify-content:space-between;background:#2d3e50;color:#fff;padding:10px 24px}
.topbar a{color:#fff}.brand{font-weight:600;font-size:16px}.sprocket{color:#ff7a59}
.tag{background:#ff7a59;border-radius:3px;font-size:11px;padding:1px 6px;margin-left:4px;text-transform:uppercase;letter-spacing:.04em}
.whoami{font-size:13px;opacity:.95}.whoami a{color:#cbd6e2;text-decoration:underline}
main{max-width:1100px;margin:32px auto;padding:0 24px}
.foot{text-align:center;color:#7c98b6;font-size:12px;margin:32px 0}
.card{background:#fff;border:1px solid #cbd6e2;border-radius:4px;padding:24px;margin-bottom:16px}
.narrow{max-width:560px;margin-left:auto;margin-right:auto}
h1{font-size:22px;font-weight:600;margin:0 0 8px;color:#2d3e50}h2{font-size:16px;font-weight:600;margin:0 0 12px;color:#2d3e50}
.muted{color:#7c98b6}.small{font-size:12px}
.btn{display:inline-block;border:1px solid #ff7a59;background:#ff7a59;color:#fff;border-radius:3px;padding:9px 20px;font:inherit;font-weight:600;cursor:pointer}
.btn:hover{background:#ff8f73}.btn.secondary{background:#fff;color:#ff7a59}.btn.secondary:hover{background:#fff8f6}
.accounts{list-style:none;margin:16px 0 0;padding:0}
.accounts li{border:1px solid #dfe3eb;border-radius:4px;margin-bottom:8px}
.accounts button{all:unset;box-sizing:border-box;display:flex;width:100%;align-items:center;justify-content:space-between;padding:14px 16px;cursor:pointer}
.accounts button:hover,.accounts button:focus{background:#f5f8fa;outline:2px solid #0091ae}
.badge{font-size:11px;border-radius:3px;padding:2px 8px;background:#eaf0f6;color:#516f90;white-space:nowrap}
.badge.test{background:#fef8f0;color:#b36200}.badge.dev{background:#fde8e9;color:#c93b3b}
.error{border-left:4px solid #f2545b}.error h1{color:#c93b3b}
.scopes{margin:12px 0 20px;padding-left:20px}
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:20px}
.warning{background:#fef8f0;border:1px solid #fbc7a3;border-radius:4px;padding:10px 12px;font-size:13px;margin:12px 0}
.grid{display:grid;grid-template-columns:320px 1fr;gap:16px;align-items:start}
@media (max-width:760px){.grid{grid-template-columns:1fr}}
.props{width:100%;border-collapse:collapse}.props th{text-align:left;font-weight:500;color:#516f90;width:45%;padding:6px 8px 6px 0;vertical-align:top}
.props td{padding:6px 0;word-break:break-word}.props tr+tr{border-top:1px solid #eaf0f6}
.timeline{list-style:none;margin:0;padding:0}
.timeline>li{border:1px solid #dfe3eb;border-radius:4px;padding:12px 16px;margin-bottom:12px;background:#fff}
.timeline .kind{font-weight:600;text-transform:uppercase;font-size:11px;letter-spacing:.05em;color:#516f90}
.timeline .when{float:right;color:#7c98b6;font-size:12px}
.facts{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0;font-size:13px}.facts span b{font-weight:500;color:#516f90}
.phone{font-variant-numeric:tabular-nums}
.widget-slot:empty{display:none}
`;
