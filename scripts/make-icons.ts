/**
 * Draws the extension and task icons in code and writes them as PNG files, so they can be
 * regenerated offline without any image tool:
 *
 *   node build/tsc/scripts/make-icons.js
 *
 * writes images/extension-icon.png (128x128) and tasks/<Task>/icon.png (32x32). The generated
 * files are committed; rerun this after changing a drawing. Shapes are point-in-shape tests on
 * pixel coordinates, antialiased by supersampling, composited in order and encoded by a minimal
 * PNG writer (RGBA, 8 bits, no interlace) built on node:zlib.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { repoRoot } from '../tools/paths';

export type Rgba = readonly [number, number, number, number];
export type Shape = (x: number, y: number) => boolean;
type Paint = (x: number, y: number) => Rgba;
interface Layer {
  shape: Shape;
  paint: Paint;
}

// ---------------------------------------------------------------- shapes

export function roundRect(x: number, y: number, w: number, h: number, r: number): Shape {
  return (px, py) => {
    if (px < x || px > x + w || py < y || py > y + h) return false;
    const cx = Math.min(Math.max(px, x + r), x + w - r);
    const cy = Math.min(Math.max(py, y + r), y + h - r);
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
  };
}

export function circle(cx: number, cy: number, r: number): Shape {
  return (px, py) => (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

/** A filled polygon (even-odd rule). */
export function polygon(points: readonly (readonly [number, number])[]): Shape {
  return (px, py) => {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const a = points[i];
      const b = points[j];
      if (!a || !b) continue;
      if (a[1] > py !== b[1] > py && px < ((b[0] - a[0]) * (py - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
    }
    return inside;
  };
}

/** A straight stroke with round caps from (x1, y1) to (x2, y2). */
export function segment(x1: number, y1: number, x2: number, y2: number, width: number): Shape {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  return (px, py) => {
    const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - x1) * dx + (py - y1) * dy) / length2));
    return (px - (x1 + t * dx)) ** 2 + (py - (y1 + t * dy)) ** 2 <= (width / 2) ** 2;
  };
}

export function union(...shapes: Shape[]): Shape {
  return (px, py) => shapes.some((s) => s(px, py));
}

export function subtract(shape: Shape, ...holes: Shape[]): Shape {
  return (px, py) => shape(px, py) && !holes.some((h) => h(px, py));
}

// ---------------------------------------------------------------- paint

function hex(color: string, alpha = 1): Rgba {
  const n = Number.parseInt(color.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, Math.round(alpha * 255)];
}

function solid(color: Rgba): Paint {
  return () => color;
}

function verticalGradient(top: Rgba, bottom: Rgba, y0: number, y1: number): Paint {
  return (_x, y) => {
    const t = Math.min(1, Math.max(0, (y - y0) / (y1 - y0)));
    return [0, 1, 2, 3].map((i) =>
      Math.round((top[i] ?? 0) + ((bottom[i] ?? 0) - (top[i] ?? 0)) * t),
    ) as unknown as Rgba;
  };
}

// ---------------------------------------------------------------- rasterising

/** RGBA pixels, row by row, of the layers composited "over" a transparent canvas. */
export function rasterize(size: number, layers: readonly Layer[], samples = 5): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0; // premultiplied, 0..1
      for (const layer of layers) {
        let hits = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            if (layer.shape(x + (sx + 0.5) / samples, y + (sy + 0.5) / samples)) hits++;
          }
        }
        if (hits === 0) continue;
        const [cr, cg, cb, ca] = layer.paint(x + 0.5, y + 0.5);
        const alpha = (hits / (samples * samples)) * (ca / 255);
        r = (cr / 255) * alpha + r * (1 - alpha);
        g = (cg / 255) * alpha + g * (1 - alpha);
        b = (cb / 255) * alpha + b * (1 - alpha);
        a = alpha + a * (1 - alpha);
      }
      const o = (y * size + x) * 4;
      pixels[o] = a > 0 ? Math.round((r / a) * 255) : 0;
      pixels[o + 1] = a > 0 ? Math.round((g / a) * 255) : 0;
      pixels[o + 2] = a > 0 ? Math.round((b / a) * 255) : 0;
      pixels[o + 3] = Math.round(a * 255);
    }
  }
  return pixels;
}

// ---------------------------------------------------------------- PNG

const crcTable = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A truecolour-with-alpha, 8-bit PNG of square RGBA pixels. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error('pixel buffer does not match the image size');
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // compression
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter type None
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------- drawings

const navyTop = hex('#1d3f6e');
const navyBottom = hex('#0c1e3a');
const devBlue = hex('#4f9cf7');
const prodGreen = hex('#2fc48d');
const amber = hex('#f5a524');
const white = hex('#ffffff');

function tile(size: number, radius: number): Layer {
  return { shape: roundRect(0, 0, size, size, radius), paint: verticalGradient(navyTop, navyBottom, 0, size) };
}

/** Three stacked server units with a status light each: one network. */
function serverStack(x: number, y: number, w: number, color: Rgba): Layer[] {
  const unit = 16;
  const gap = 4;
  const layers: Layer[] = [];
  for (let i = 0; i < 3; i++) {
    const top = y + i * (unit + gap);
    layers.push({ shape: roundRect(x, top, w, unit, 4), paint: solid(color) });
    layers.push({ shape: circle(x + w - 7, top + unit / 2, 2.4), paint: solid(hex('#ffffff', 0.9)) });
    layers.push({ shape: roundRect(x + 5, top + unit / 2 - 1.5, w - 18, 3, 1.5), paint: solid(hex('#0c1e3a', 0.35)) });
  }
  return layers;
}

/** 128x128: the development network (blue) and the production network (green), split by the gap, a package crossing it. */
export function extensionIcon(): Uint8Array {
  const dashes: Shape[] = [];
  for (let y = 14; y < 116; y += 13) dashes.push(roundRect(62, y, 4, 7, 2));
  const arrow = union(
    segment(30, 30, 84, 30, 9),
    polygon([
      [80, 16],
      [102, 30],
      [80, 44],
    ]),
  );
  return rasterize(
    128,
    [
      tile(128, 26),
      { shape: union(...dashes), paint: solid(hex('#ffffff', 0.5)) },
      ...serverStack(14, 52, 38, devBlue),
      ...serverStack(76, 52, 38, prodGreen),
      { shape: arrow, paint: solid(amber) },
    ],
    4,
  );
}

/** A box outline open on one side: where the arrow leaves (export) or enters (deploy). */
function openBox(x: number, y: number, w: number, h: number, openRight: boolean): Shape {
  const stroke = 3;
  const outline = subtract(
    roundRect(x, y, w, h, 3.5),
    roundRect(x + stroke, y + stroke, w - 2 * stroke, h - 2 * stroke, 1.5),
  );
  const opening = openRight
    ? roundRect(x + w - stroke - 1, y + 6, stroke + 2, h - 12, 0)
    : roundRect(x - 1, y + 6, stroke + 2, h - 12, 0);
  return subtract(outline, opening);
}

function rightArrow(x1: number, x2: number, y: number): Shape {
  return union(
    segment(x1, y, x2 - 4, y, 3.6),
    polygon([
      [x2 - 6, y - 6],
      [x2 + 0.5, y],
      [x2 - 6, y + 6],
    ]),
  );
}

export function exportIcon(): Uint8Array {
  return rasterize(32, [
    tile(32, 6),
    { shape: openBox(4, 7, 17, 18, true), paint: solid(devBlue) },
    { shape: rightArrow(11, 28.5, 16), paint: solid(white) },
  ]);
}

export function deployIcon(): Uint8Array {
  return rasterize(32, [
    tile(32, 6),
    { shape: openBox(11, 7, 17, 18, false), paint: solid(prodGreen) },
    { shape: rightArrow(3.5, 22, 16), paint: solid(white) },
  ]);
}

export function tagIcon(): Uint8Array {
  const tag = polygon([
    [4.5, 9],
    [18.5, 9],
    [27.5, 16],
    [18.5, 23],
    [4.5, 23],
  ]);
  return rasterize(32, [
    tile(32, 6),
    { shape: subtract(union(tag, roundRect(4.5, 9, 8, 14, 2.5)), circle(9.5, 16, 2.3)), paint: solid(amber) },
  ]);
}

/** Two rising steps (PRE, then PRD) and an arrow climbing from the lower to the higher. */
export function promoteIcon(): Uint8Array {
  const steps = union(roundRect(4, 19, 11, 8, 2), roundRect(17, 11, 11, 16, 2));
  const arrow = union(
    segment(8, 15, 17.5, 5.5, 3.4),
    polygon([
      [13, 3.5],
      [21.5, 2],
      [20, 10.5],
    ]),
  );
  return rasterize(32, [tile(32, 6), { shape: steps, paint: solid(prodGreen) }, { shape: arrow, paint: solid(white) }]);
}

export const iconFiles: readonly { file: string; size: number; draw: () => Uint8Array }[] = [
  { file: 'images/extension-icon.png', size: 128, draw: extensionIcon },
  { file: 'tasks/AirGapExport/icon.png', size: 32, draw: exportIcon },
  { file: 'tasks/AirGapDeploy/icon.png', size: 32, draw: deployIcon },
  { file: 'tasks/AirGapSyncTags/icon.png', size: 32, draw: tagIcon },
  { file: 'tasks/AirGapPromote/icon.png', size: 32, draw: promoteIcon },
];

function main(): void {
  for (const { file, size, draw } of iconFiles) {
    const target = path.join(repoRoot, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, encodePng(size, size, draw()));
    console.log(`wrote ${file} (${size}x${size})`);
  }
}

if (require.main === module) main();
