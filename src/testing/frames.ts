/**
 * WebSocket framing for the emulator's load-generation hook (`EventApi.burst`): server-to-client
 * text frames (RFC 6455 §5.2: FIN, opcode 1, never masked, no extension bits), packed back to back
 * into a few large buffers so that a benchmark can hand tens of megabytes to the socket in a handful
 * of writes instead of one TLS record per event.
 */

/** Size of the buffers frames are packed into (a frame larger than this gets a buffer of its own). */
const CHUNK_BYTES = 1 << 20;

/**
 * Encodes each text as one unmasked, final WebSocket text frame and packs the frames, in order, into
 * buffers of about `chunkBytes` (no frame is split across buffers). Writing the buffers to a
 * server-side socket, in order, delivers exactly these messages.
 *
 * @example
 * ```ts
 * import { encodeTextFrames } from './frames';
 * const [buffer] = encodeTextFrames(['{"type":"ka"}']);
 * buffer.subarray(0, 2); // <Buffer 81 0d>
 * ```
 */
export function encodeTextFrames(texts: readonly string[], chunkBytes = CHUNK_BYTES): Buffer[] {
  const chunks: Buffer[] = [];
  let sizes: number[] = [];
  let start = 0;
  let total = 0;
  const flush = (end: number): void => {
    if (end === start) return;
    const chunk = Buffer.allocUnsafe(total);
    let offset = 0;
    for (let i = start; i < end; i++) {
      const length = sizes[i - start] as number;
      offset = writeHeader(chunk, offset, length);
      offset += chunk.write(texts[i] as string, offset, length, 'utf8');
    }
    chunks.push(chunk);
    start = end;
    total = 0;
    sizes = [];
  };
  for (let i = 0; i < texts.length; i++) {
    const length = Buffer.byteLength(texts[i] as string, 'utf8');
    const frameBytes = headerBytes(length) + length;
    if (total > 0 && total + frameBytes > chunkBytes) flush(i);
    sizes.push(length);
    total += frameBytes;
  }
  flush(texts.length);
  return chunks;
}

function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

function writeHeader(target: Buffer, offset: number, length: number): number {
  target[offset] = 0x81; // FIN + text
  if (length < 126) {
    target[offset + 1] = length;
    return offset + 2;
  }
  if (length < 65536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    return offset + 4;
  }
  target[offset + 1] = 127;
  target.writeBigUInt64BE(BigInt(length), offset + 2);
  return offset + 10;
}
