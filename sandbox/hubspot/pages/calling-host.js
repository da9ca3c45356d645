// HubSpot's side of the Calling Extensions SDK on the emulator's record page.
//
// Served as-is to the browser (no build step), so it is plain JavaScript; the page
// gives it its configuration as JSON (calling-host.ts). It embeds the chosen calling
// app with the SDK's own IFrameManager in host mode — never `new CallingExtensions`
// as host (shared/reference/calling-extensions.md §5 caveat b) — and answers the
// widget the way HubSpot does: SYNC with the user's ids, DIAL_NUMBER on a click,
// engagements created, completed and associated in the emulator, caller-id matches,
// alerts, resizes and navigation. Known differences: docs/sandbox/hubspot.md.

const config = JSON.parse(document.getElementById('calling-host-config').textContent);
const { IFrameManager } = await import(config.sdkUrl);

const PICK_KEY = `LocalSettings:Calling:selectedProvider:${config.portalId}`;
const END_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'BUSY', 'NO_ANSWER', 'MISSED', 'REJECTED']);

const panel = document.getElementById('calling-panel');
const frame = document.getElementById('calling-frame');
const statusEl = panel.querySelector('[data-testid="calling-status"]');
const pickerLabel = panel.querySelector('[data-testid="calling-provider-picker"]');
const picker = document.getElementById('calling-provider');
const toggle = document.getElementById('calling-toggle');
const alerts = document.getElementById('calling-alerts');

/** What the page knows about the embedded widget and its calls. */
const widget = {
  provider: null,
  host: null,
  initialized: false,
  loggedIn: false,
  available: false,
  hidden: false,
  /** A click that arrived before the widget said INITIALIZED. */
  pendingDial: null,
  /** The last DIAL_NUMBER: its callee becomes the call's record (HubSpot's dialing context). */
  lastDial: null,
  /** externalCallId → { direction, engagementId, callee, matches } */
  calls: new Map(),
};

// --- Providers: installed calling apps, with HubSpot's localStorage override for local testing ---

function readOverride() {
  const raw = localStorage.getItem(config.overrideKey);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    console.warn(`[HubSpot sandbox] ${config.overrideKey} is not JSON; ignored`);
    return null;
  }
}

/** Override: merged into the app of the same name, else into the only calling app, else its own entry. */
function resolveProviders() {
  const providers = config.providers.map((p) => ({ ...p, overridden: false }));
  const override = readOverride();
  if (override) {
    const target = providers.find((p) => override.name && p.name === override.name) ?? (providers.length === 1 ? providers[0] : undefined);
    if (target) Object.assign(target, override, { appId: target.appId, overridden: true });
    else if (typeof override.url === 'string') {
      providers.push({ appId: null, name: 'Calling app (local override)', width: 400, height: 600, usesCallingWindow: false, ...override, overridden: true });
    }
  }
  return providers.filter((p) => p.isReady === true && typeof p.url === 'string' && p.url);
}

// --- Status, alerts, visibility ---

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function refreshStatus() {
  if (!widget.initialized) return;
  const onCall = [...widget.calls.values()].some((c) => !c.ended);
  if (onCall) setStatus('call', 'On a call');
  else if (!widget.loggedIn) setStatus('logged-out', 'Logged out');
  else setStatus('ready', widget.available ? 'Ready' : 'Ready · unavailable for inbound');
}

/** HubSpot's alert pop-up (what `sendError` shows). */
function showAlert(title, message, tone = 'error') {
  const box = document.createElement('div');
  box.className = `calling-alert ${tone}`;
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'calling-alert';
  const text = document.createElement('div');
  const strong = document.createElement('strong');
  strong.textContent = title;
  const p = document.createElement('p');
  p.textContent = message;
  text.append(strong, p);
  const close = document.createElement('button');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => box.remove());
  box.append(text, close);
  alerts.append(box);
  while (alerts.children.length > 3) alerts.firstElementChild.remove();
}

function setHidden(hidden) {
  if (widget.hidden === hidden) return;
  widget.hidden = hidden;
  frame.hidden = hidden;
  toggle.hidden = !hidden;
  send('VISIBILITY_CHANGED', { isMinimized: false, isHidden: hidden });
}

toggle.addEventListener('click', () => setHidden(false));

// --- The emulator's app back end ---

async function backend(method, path, body) {
  const res = await fetch(`${config.api}${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.message ?? `HTTP ${res.status}`);
  return json;
}

/** The timeline is server-rendered: after a call is logged, the Activity card is re-read, as HubSpot updates it live. */
async function refreshTimeline() {
  const res = await fetch(location.href, { credentials: 'same-origin' });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.querySelector('[data-testid="activity"]');
  const current = document.querySelector('[data-testid="activity"]');
  if (fresh && current) current.innerHTML = fresh.innerHTML;
}

// --- SDK plumbing ---

function send(type, data) {
  if (widget.host?.isReady) widget.host.sendMessage({ type, data });
}

function mount(provider) {
  widget.host?.remove();
  Object.assign(widget, { provider, host: null, initialized: false, loggedIn: false, available: false, hidden: false, pendingDial: null, lastDial: null });
  widget.calls.clear();
  frame.hidden = false;
  toggle.hidden = true;
  panel.dataset.appId = provider.appId ?? '';
  panel.dataset.provider = provider.name;
  setStatus('loading', `Loading ${provider.name}…`);
  const host = new IFrameManager({
    debugMode: false,
    iFrameOptions: { src: provider.url, width: `${provider.width || 400}px`, height: `${provider.height || 600}px`, hostElementSelector: '#calling-frame' },
    onMessageHandler: (message) => {
      handle(message).catch((err) => console.error('[HubSpot sandbox] calling host:', err));
    },
  });
  // HubSpot's SYNC carries the user's context; the SDK's own host SYNC does not (reference §5 caveat a).
  host.sendSync = function sendSync() {
    if (Date.now() - this.firstSyncSent > 30_000) {
      this.onMessageHandler({ type: 'SYNC_ACK_FAILED' });
      return;
    }
    this.sendMessage(
      {
        type: 'SYNC',
        hostUrl: location.origin,
        portalId: config.portalId,
        userId: config.userId,
        ownerId: config.ownerId,
        iframeLocation: 'widget',
        usesCallingWindow: !!provider.usesCallingWindow,
      },
      (ack) => {
        this.destinationHost = ack.iFrameUrl || this.destinationHost;
        this.onReady();
      },
    );
    setTimeout(() => {
      if (this.iFrame && !this.isReady) this.sendSync();
    }, 100);
  };
  // SET_WIDGET_URL: the SDK's host code reads `iFrameUrl` from the envelope's top level, but `setWidgetUrl`
  // sends it under `data` (CallingExtensions.ts) — so the SDK alone would neither reload nor answer. HubSpot
  // reloads the iframe at `data.iFrameUrl`; the page takes the message before the SDK does.
  const sdkOnMessage = host.onMessage;
  host.onMessage = function onMessage(event) {
    const message = event.data;
    if (message?.type === 'SET_WIDGET_URL' && message.messageId && event.origin === this.destinationHost) {
      reloadAt(message.data?.iFrameUrl ?? message.iFrameUrl);
      return;
    }
    sdkOnMessage.call(this, event);
  };
  host.iFrame.title = `${provider.name} calling widget`;
  host.iFrame.dataset.testid = 'calling-widget-iframe';
  widget.host = host;
}

// --- Widget → HubSpot messages ---

async function handle(message) {
  const { type } = message;
  const data = message.data ?? {};
  switch (type) {
    case 'READY':
      setStatus('loading', `Starting ${widget.provider.name}…`);
      return;
    case 'SYNC_ACK_FAILED':
      setStatus('error', 'Not responding');
      showAlert(`${widget.provider.name} didn't load`, 'The calling app did not answer within 30 seconds. Check that it is running and reload the page.');
      return;
    case 'INITIALIZED':
      widget.initialized = true;
      widget.loggedIn = !!data.isLoggedIn;
      widget.available = !!data.isAvailable;
      if (data.sizeInfo) widget.host.updateIFrameSize(data.sizeInfo);
      refreshStatus();
      if (widget.pendingDial) {
        const pending = widget.pendingDial;
        widget.pendingDial = null;
        dial(pending);
      }
      return;
    case 'LOGGED_IN':
    case 'LOGGED_OUT':
      widget.loggedIn = type === 'LOGGED_IN';
      return refreshStatus();
    case 'USER_AVAILABLE':
    case 'USER_UNAVAILABLE':
      widget.available = type === 'USER_AVAILABLE';
      return refreshStatus();
    case 'RESIZE_WIDGET':
      widget.host.updateIFrameSize({ width: Number(data.width) || undefined, height: Number(data.height) || undefined });
      return;
    case 'ERROR':
      showAlert(widget.provider.name, String(data.message ?? 'The calling app reported an error.'));
      return;
    case 'OUTGOING_CALL_STARTED':
      return callStarted('OUTBOUND', data);
    case 'INCOMING_CALL':
      setHidden(false);
      return callStarted('INBOUND', data);
    case 'CALL_ANSWERED':
      return updateCall(data, { hs_call_status: 'IN_PROGRESS' }, (c) => {
        c.answered = true;
      });
    case 'CALL_ENDED':
      return updateCall(data, { hs_call_status: END_STATUSES.has(data.callEndStatus) ? data.callEndStatus : 'COMPLETED' }, (c) => {
        c.ended = true;
      });
    case 'CALL_COMPLETED':
      return callCompleted(data);
    case 'FINALIZE_ENGAGEMENT':
    case 'PUBLISH_TO_CHANNEL': {
      const ok =
        data.engagementId &&
        (await backend('GET', `/records/0-48/${data.engagementId}`).then(
          () => true,
          () => false,
        ));
      const reply = type === 'FINALIZE_ENGAGEMENT' ? 'FINALIZE_ENGAGEMENT' : 'PUBLISH_TO_CHANNEL';
      send(`${reply}_${ok ? 'SUCCEEDED' : 'FAILED'}`, { engagementId: data.engagementId, externalCallId: data.externalCallId });
      return;
    }
    case 'NAVIGATE_TO_RECORD':
      return navigate(data);
    case 'CALL_TRANSFERRED':
    case 'CALL_DATA':
      return;
    default:
      console.debug('[HubSpot sandbox] calling host ignored', type, data);
  }
}

async function callStarted(direction, data) {
  const externalCallId = String(data.externalCallId ?? '');
  const recent = widget.lastDial && Date.now() - widget.lastDial.at < 120_000 ? widget.lastDial : null;
  const call = { direction, engagementId: null, callee: direction === 'OUTBOUND' ? (recent?.calleeInfo ?? null) : null, matches: [], ended: false };
  widget.calls.set(externalCallId, call);
  if (direction === 'OUTBOUND') widget.lastDial = null;
  refreshStatus();
  if (direction === 'INBOUND') {
    try {
      const { callerIdMatches } = await backend('GET', `/caller-id?number=${encodeURIComponent(data.fromNumber ?? '')}`);
      call.matches = callerIdMatches;
      if (callerIdMatches.length) send('CALLER_ID_MATCH_SUCCEEDED', { callerIdMatches });
      else send('CALLER_ID_MATCH_FAILED', { error: { message: `No contact or company has the number ${data.fromNumber ?? ''}.` } });
    } catch (err) {
      send('CALLER_ID_MATCH_FAILED', { error: { message: err.message } });
    }
  }
  if (!data.createEngagement) return;
  try {
    const { engagementId } = await backend('POST', '/calls', {
      appId: widget.provider.appId ?? undefined,
      direction,
      externalCallId,
      fromNumber: data.fromNumber,
      toNumber: data.toNumber,
      callStartTime: typeof data.callStartTime === 'number' ? data.callStartTime : undefined,
    });
    call.engagementId = engagementId;
    send('CREATE_ENGAGEMENT_SUCCEEDED', { engagementId });
  } catch (err) {
    send('CREATE_ENGAGEMENT_FAILED', { error: { message: err.message } });
  }
}

async function updateCall(data, properties, mark) {
  const externalCallId = String(data.externalCallId ?? '');
  let call = widget.calls.get(externalCallId);
  if (!call && externalCallId) {
    // A call this page did not see start (the widget reloaded mid-call, e.g. after NAVIGATE_TO_RECORD).
    call = { direction: null, engagementId: data.engagementId || null, callee: null, matches: [], ended: false };
    widget.calls.set(externalCallId, call);
  }
  if (call) mark(call);
  refreshStatus();
  const engagementId = data.engagementId || call?.engagementId;
  if (engagementId)
    await backend('PATCH', `/calls/${engagementId}`, { properties }).catch((err) => console.warn('[HubSpot sandbox] call update failed:', err.message));
}

async function callCompleted(data) {
  const externalCallId = String(data.externalCallId ?? '');
  const call = widget.calls.get(externalCallId);
  const engagementId = data.engagementId || call?.engagementId;
  if (!engagementId) {
    send('UPDATE_ENGAGEMENT_FAILED', { error: { message: 'There is no engagement for this call: start it with createEngagement or pass engagementId.' } });
    return;
  }
  // HubSpot's default associations: the dialed record and the record on screen; an inbound call goes to its caller.
  const targets = [];
  if (call?.direction === 'INBOUND') {
    const contact = call.matches.find((m) => m.callerIdType === 'CONTACT') ?? call.matches[0];
    if (contact) targets.push(contact.objectCoordinates);
  } else {
    if (call?.callee) targets.push({ objectTypeId: call.callee.calleeObjectTypeId, objectId: call.callee.calleeId });
    targets.push({ objectTypeId: config.objectTypeId, objectId: config.objectId });
  }
  try {
    await backend('POST', `/calls/${engagementId}/complete`, {
      engagementProperties: data.engagementProperties ?? {},
      associations: targets.map((t) => ({ objectTypeId: String(t.objectTypeId), objectId: Number(t.objectId) })),
    });
    send('UPDATE_ENGAGEMENT_SUCCEEDED', { engagementId });
  } catch (err) {
    send('UPDATE_ENGAGEMENT_FAILED', { error: { message: err.message } });
    return;
  }
  widget.calls.delete(externalCallId);
  refreshStatus();
  if (data.hideWidget !== false) setHidden(true);
  await refreshTimeline();
}

async function navigate(data) {
  const coordinates = data.objectCoordinates ?? {};
  try {
    if (Number(coordinates.portalId) !== config.portalId) throw new Error('another portal');
    const { url } = await backend('GET', `/records/${encodeURIComponent(coordinates.objectTypeId)}/${encodeURIComponent(coordinates.objectId)}`);
    if (data.openIn === 'NEW_TAB') window.open(url, '_blank', 'noopener');
    else location.assign(url);
  } catch {
    send('NAVIGATE_TO_RECORD_FAILED', { engagementId: data.engagementId, objectCoordinates: coordinates });
  }
}

/** SET_WIDGET_URL: the widget reloads at its new address and the handshake starts over with it. */
function reloadAt(url) {
  let next;
  try {
    next = new URL(String(url));
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new Error('not a web address');
  } catch {
    send('SET_WIDGET_URL_FAILED', { iFrameUrl: url });
    return;
  }
  const host = widget.host;
  // Messages go to, and are only accepted from, the new page's origin (the SDK would keep the whole URL).
  host.destinationHost = next.origin;
  Object.assign(widget, { initialized: false, loggedIn: false, available: false });
  setStatus('loading', `Loading ${widget.provider.name}…`);
  host.iFrame.src = next.href;
}

// --- Click to call ---

function dial(request) {
  if (!widget.loggedIn) {
    showAlert(`Log in to ${widget.provider.name}`, `You're logged out of ${widget.provider.name}. Log in in the calling widget, then click the number again.`);
    return;
  }
  widget.lastDial = { calleeInfo: request.calleeInfo, at: Date.now() };
  send('DIAL_NUMBER', {
    phoneNumber: request.phoneNumber,
    phone_number: request.phoneNumber,
    ownerId: config.ownerId,
    portalId: config.portalId,
    subjectId: config.objectId,
    objectId: config.objectId,
    objectType: config.objectType,
    countryCode: request.countryCode,
    calleeInfo: request.calleeInfo,
    startTimestamp: Date.now(),
    toPhoneNumberSrc: request.property,
  });
}

document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a.phone') : null;
  if (!link || !widget.provider || link.dataset.objectTypeId === '0-48' || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  setHidden(false);
  const property = link.dataset.property ?? 'phone';
  const request = {
    phoneNumber: link.dataset.e164 || link.dataset.phoneNumber || link.textContent.trim(),
    property,
    countryCode: config.countryCodes[property] ?? config.defaultRegion,
    calleeInfo: { calleeId: Number(link.dataset.objectId), calleeObjectTypeId: link.dataset.objectTypeId },
  };
  if (widget.initialized) dial(request);
  else widget.pendingDial = request;
});

// --- Start ---

const providers = resolveProviders();
if (providers.length > 0) {
  panel.hidden = false;
  for (const link of document.querySelectorAll('a.phone')) if (link.dataset.objectTypeId !== '0-48') link.dataset.calling = 'on';
  if (providers.length > 1) {
    pickerLabel.hidden = false;
    for (const [i, p] of providers.entries()) picker.add(new Option(p.name, String(i)));
    picker.addEventListener('change', () => {
      localStorage.setItem(PICK_KEY, providers[Number(picker.value)].name);
      mount(providers[Number(picker.value)]);
    });
  }
  const saved = localStorage.getItem(PICK_KEY);
  const index = Math.max(
    0,
    providers.findIndex((p) => p.name === saved),
  );
  picker.value = String(index);
  mount(providers[index]);
}
