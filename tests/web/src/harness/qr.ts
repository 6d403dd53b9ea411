import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS typed as an ES module: under Node's ESM its default export is the module
// object, whose `default` is the function.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

/**
 * Reads the QR code in a PNG screenshot, as a phone's camera app would read it off the screen:
 * the text it encodes, or undefined when no QR code can be found.
 */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data;
}
