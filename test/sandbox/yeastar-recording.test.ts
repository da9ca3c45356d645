import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { EventStream, type PbxClient, startPbx, UA } from '../support/yeastar-client.ts';

describe('Yeastar emulator: call recordings (help.yeastar.com download-a-recording-file)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;
  let recordingFile: string;

  before(async () => {
    ({ sb, pbx } = await startPbx({ limits: { downloadUrlTtlSec: 0.3 } }));
    const events = await EventStream.open(sb, pbx.token, [30012]);
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 2, talkSeconds: 45 });
    await events.callEvents(call_id);
    recordingFile = events.events[0].msg.recording;
    events.close();
  });
  after(() => sb.close());

  it('lists the recording of an answered call with its CDR uid and duration', async () => {
    const list = await pbx.get('recording/list');
    assert.equal(list.total_number, 1);
    const rec = list.data[0];
    assert.equal(rec.file, recordingFile);
    assert.equal(rec.duration, 45);
    assert.equal(rec.call_type, 'Inbound');
    assert.equal(rec.call_to, 'Kristin Hale<1001>');
    assert.equal(rec.uid, sb.cdrs()[0].uid);
  });

  it('returns a download URL by file name or id, and streams a valid WAV with an access token', async () => {
    const byFile = await pbx.get('recording/download', { file: recordingFile });
    assert.equal(byFile.errcode, 0);
    assert.equal(byFile.file, recordingFile);
    assert.match(byFile.download_resource_url, /^\/api\/download\/Recording-.+\.wav$/);
    const byId = await pbx.get('recording/download', { id: (await pbx.get('recording/list')).data[0].id });
    assert.equal(byId.file, recordingFile);

    const res = await fetch(`${sb.url}${byFile.download_resource_url}?access_token=${pbx.token}`, { headers: UA });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    const wav = Buffer.from(await res.arrayBuffer());
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
    assert.equal(wav.readUInt16LE(20), 1, 'PCM');
    assert.equal(wav.readUInt32LE(24), 8000, '8 kHz');
    assert.equal(wav.readUInt32LE(40), wav.length - 44, 'data chunk fills the file');
    // As long as the call's talk time (45 s), so a player shows and plays the call's length.
    assert.equal(wav.readUInt32LE(40) / wav.readUInt32LE(28), 45, 'data bytes / byte rate = seconds');
    assert.equal((await pbx.get('recording/list')).data[0].size, wav.length, 'recording/list gives the file size');

    const noToken = await fetch(`${sb.url}${byFile.download_resource_url}`, { headers: UA });
    assert.equal((await noToken.json()).errcode, 10004);
  });

  it('expires the download URL and answers unknown recordings with 60001', async () => {
    const { download_resource_url } = await pbx.get('recording/download', { file: recordingFile });
    await new Promise((r) => setTimeout(r, 400));
    const late = await fetch(`${sb.url}${download_resource_url}?access_token=${pbx.token}`, { headers: UA });
    assert.equal((await late.json()).errcode, 60001);
    assert.equal((await pbx.get('recording/download', { file: 'nope.wav' })).errcode, 60001);
    assert.deepEqual((await pbx.get('recording/download')).invalid_param_list, [{ field: 'id', validation_type: 'required' }]);
  });
});
