// Decoding photos in the browser: the checks that decide whether a file may be stored, and
// the pixels the preprocessing needs. Decoding happens here, on the device; the bytes never
// travel anywhere.
import { centerCropBox, resizeSquareRGB, normalizeToCHW } from './lib/preprocess.js';
import { t } from './lib/messages.js';

const DECODE_OPTIONS = { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

/** Throws an Error whose message is shown next to the file name. */
export async function validateImageFile(file) {
  if (file.size === 0) throw new Error(t('fileEmpty'));
  if (file.type && !file.type.startsWith('image/')) {
    throw new Error(t('fileNotImage', { type: file.type }));
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, DECODE_OPTIONS);
  } catch {
    throw new Error(file.type ? t('fileDamaged') : t('fileUnknownFormat'));
  }
  const ok = bitmap.width > 0 && bitmap.height > 0;
  bitmap.close();
  if (!ok) throw new Error(t('fileNoPixels'));
}

function canvas2d(width, height) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  const c = document.createElement('canvas');
  c.width = width; c.height = height;
  return c.getContext('2d', { willReadFrequently: true });
}

/** The backbone's input [3,S,S] from a decoded photo, exactly as the server's influx_desktop/models/images.py. */
function inputOf(bitmap, { left, top, side }, backbone) {
  const ctx = canvas2d(side, side);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, left, top, side, side, 0, 0, side, side); // 1:1 copy of the crop, no resampling
  const { data } = ctx.getImageData(0, 0, side, side);
  const rgb = resizeSquareRGB(data, side, side, 4, { left: 0, top: 0, side }, backbone.input_size);
  return normalizeToCHW(rgb, backbone.input_size, backbone.mean, backbone.std);
}

/** Blob -> preprocessed float32 [3,S,S] exactly as the server's influx_desktop/models/images.py. */
export async function preprocessBlob(blob, backbone) {
  const bitmap = await createImageBitmap(blob, DECODE_OPTIONS);
  try {
    return inputOf(bitmap, centerCropBox(bitmap.width, bitmap.height), backbone);
  } finally {
    bitmap.close();
  }
}

/**
 * One decode for an explanation: the backbone's input [3,S,S] (as preprocessBlob) and the photo's centre
 * square, the part the backbone sees, drawn smoothly at `size` x `size` (RGBA pixels) to show it.
 */
export async function decodeForExplanation(blob, backbone, size) {
  const bitmap = await createImageBitmap(blob, DECODE_OPTIONS);
  try {
    const box = centerCropBox(bitmap.width, bitmap.height);
    const shown = canvas2d(size, size);
    shown.imageSmoothingEnabled = true;
    shown.imageSmoothingQuality = 'high';
    shown.drawImage(bitmap, box.left, box.top, box.side, box.side, 0, 0, size, size);
    return { chw: inputOf(bitmap, box, backbone), photo: shown.getImageData(0, 0, size, size).data };
  } finally {
    bitmap.close();
  }
}
