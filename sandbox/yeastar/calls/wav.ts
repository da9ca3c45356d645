/**
 * The recording of a call: a valid RIFF/WAVE file as long as the call's talk
 * time, so a player shows and plays the call's real length. 8 kHz mono 8-bit
 * PCM (telephone quality, 8 KB a second; the PBX records .wav by default)
 * holding a short quiet beep each second, a stand-in for the conversation.
 * Made when downloaded, never kept: a sandbox with thousands of calls holds
 * no audio in memory.
 */
const SAMPLE_RATE = 8000;

/** Bytes of the file for a call of `talkSeconds` (for `recording/list`'s `size`). */
export function recordingWavSize(talkSeconds: number): number {
  return 44 + sampleCount(talkSeconds);
}

function sampleCount(talkSeconds: number): number {
  return Math.round(SAMPLE_RATE * Math.max(0.25, talkSeconds));
}

export function recordingWav(talkSeconds: number): Buffer {
  const samples = sampleCount(talkSeconds);
  const buf = Buffer.alloc(44 + samples);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // PCM chunk size
  buf.writeUInt16LE(1, 20); // format: PCM
  buf.writeUInt16LE(1, 22); // channels
  buf.writeUInt32LE(SAMPLE_RATE, 24);
  buf.writeUInt32LE(SAMPLE_RATE, 28); // byte rate: one byte a sample
  buf.writeUInt16LE(1, 32); // block align
  buf.writeUInt16LE(8, 34); // bits per sample (8-bit PCM is unsigned: silence is 128)
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples, 40);
  for (let i = 0; i < samples; i++) {
    // A 440 Hz beep for the first 0.15 s of every second, silence between.
    const beep = i % SAMPLE_RATE < SAMPLE_RATE * 0.15;
    buf[44 + i] = beep ? 128 + Math.round(24 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)) : 128;
  }
  return buf;
}
