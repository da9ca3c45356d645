/**
 * The small page an OAuth callback lands on (in the tab "Connect" opened):
 * what happened, in words, and a message to the admin page that opened it.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function resultPage(r: { ok: boolean; title: string; message: string; connectionId?: string }): string {
  const message = r.ok ? { type: 'connection-connected', connectionId: r.connectionId } : { type: 'connection-failed', reason: r.message };
  const script = `<script>try { new BroadcastChannel('spokes-connections').postMessage(${JSON.stringify(message).replace(/</g, '\\u003c')}); } catch (e) {}</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(r.title)} · Spokes</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f5f7fa; color: #1b2430; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(15, 23, 42, .08); padding: 40px 48px; max-width: 520px; }
  h1 { margin: 0 0 12px; font-size: 22px; color: ${r.ok ? '#137a4b' : '#c4322b'}; }
  p { line-height: 1.5; } a { color: #1f5fd6; }
</style></head>
<body><main><h1>${escape(r.title)}</h1><p>${escape(r.message)}</p><p><a href="/admin/overview">Back to the Spokes admin</a></p></main>${script}</body></html>`;
}
