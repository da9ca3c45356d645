/**
 * A small but valid RIFF/WAVE file standing in for a call recording: 8 kHz mono
 * 16-bit PCM (the PBX records .wav by default), a quiet 440 Hz tone so players
 * and audio libraries see real samples. Capped at 2 s however long the call was,
 * to keep the sandbox light; the CDR and `recording/list` still carry the real duration.
 */
export function recordingWav(talkSeconds: number): Buffer {
  const sampleRate = 8000;
  const seconds = Math.min(2, Math.max(0.25, talkSeconds));
  const samples = Math.round(sampleRate * seconds);
  const dataBytes = samples * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // PCM chunk size
  buf.writeUInt16LE(1, 20); // format: PCM
  buf.writeUInt16LE(1, 22); // channels
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), 44 + i * 2);
  }
  return buf;
}
