/**
 * The page HubSpot's "Connect app" lands on (in the tab the admin page
 * opened): "Authorization succeeded!" and a message to the admin page, or the
 * reason it failed.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function callbackPage(result: { ok: true; account: string } | { ok: false; reason: string }): string {
  const title = result.ok ? 'Authorization succeeded!' : 'Authorization failed';
  const body = result.ok
    ? `<p>Spokes is now connected to <strong>${escape(result.account)}</strong>.</p><p>You can close this tab and return to the Spokes admin page.</p>`
    : `<p>${escape(result.reason)}</p><p><a href="/admin/hubspot">Back to the HubSpot page of the Spokes admin</a></p>`;
  // Tells the admin page that opened this tab how it ended.
  const message = result.ok ? { type: 'hubspot-connected' } : { type: 'hubspot-authorization-failed', reason: result.reason };
  const script = `<script>try { new BroadcastChannel('spokes-hubspot').postMessage(${JSON.stringify(message).replace(/</g, '\\u003c')}); } catch (e) {}</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Spokes</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f5f7fa; color: #1f2933; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(15, 23, 42, .08); padding: 40px 48px; max-width: 520px; }
  h1 { margin: 0 0 12px; font-size: 24px; color: ${result.ok ? '#0b7a4b' : '#b42318'}; }
  p { line-height: 1.5; } a { color: #2b5fd9; }
</style></head>
<body><main><h1>${title}</h1>${body}</main>${script}</body></html>`;
}
