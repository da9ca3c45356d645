/**
 * Click-to-call through the calling widget (C2, T6): a click on a phone number
 * on the HubSpot emulator's record page → DIAL_NUMBER to the widget (SDK
 * postMessage) → POST /agent-api/calls → Spokes → the PBX emulator receives
 * `call/dial`. The click is timed in the page (a capturing listener), the
 * dial by the PBX's own record of the request, both on this machine's clock.
 * Each call is hung up at the PBX before the next click.
 *
 *   npm run bench -- widget
 */
import { freshUsNumber, openRecord, startWidgetWorld } from '../test/widget/widget-support.ts';
import { percentile, report, round } from './support.ts';
import { eventually } from '../test/support/world.ts';

const CLICKS = Number(process.env.BENCH_CLICKS ?? 40);
const WARM_UP = 3;

const world = await startWidgetWorld();
try {
  const number = freshUsNumber();
  const contactId = await world.createContact({ firstname: 'Bench', lastname: 'Callee', phone: number.display });
  world.pbx.setDialRules({ rules: [{ number: number.e164, outcome: 'no_answer', manual: true }] });
  const { page } = await world.open();
  const widget = await openRecord(page, world.recordUrl(contactId));
  await page.evaluate(() => {
    document.addEventListener(
      'click',
      () => {
        (window as unknown as { clickAt: number }).clickAt = performance.timeOrigin + performance.now();
      },
      { capture: true },
    );
  });
  const link = page.locator('[data-testid="record-summary"] a.phone');

  const latencies: number[] = [];
  for (let i = 0; i < CLICKS + WARM_UP; i++) {
    const seen = world.pbx.dialRequests().length;
    await link.click();
    const dial = await eventually('call/dial', () => world.pbx.dialRequests()[seen], { timeoutMs: 10_000 });
    const clickAt = await page.evaluate(() => (window as unknown as { clickAt: number }).clickAt);
    if (i >= WARM_UP) latencies.push(Date.parse(dial.at) - clickAt);
    world.pbx.hangupCall(dial.call_id!);
    // The widget is free again once the call has ended (the next click completes its engagement).
    await widget.getByTestId('wrap-up').waitFor({ timeout: 10_000 });
  }

  latencies.sort((a, b) => a - b);
  const note = `${latencies.length} clicks, Chromium headless, widget on the sandbox record page, Spokes and both emulators in one process`;
  report({ bench: 'widget-dial', metric: 'click_to_call_dial_p50', value: round(percentile(latencies, 50)), unit: 'ms', note });
  report({ bench: 'widget-dial', metric: 'click_to_call_dial_p99', value: round(percentile(latencies, 99)), unit: 'ms', note });
  report({ bench: 'widget-dial', metric: 'click_to_call_dial_max', value: round(latencies[latencies.length - 1]!), unit: 'ms', note });
} finally {
  await world.close();
}
