import http from 'node:http';
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import sharp from 'sharp';

/**
 * A local stand-in of Open Food Facts: the product API (GET /api/v2/product/<code>?fields=…, answered in OFF's v2
 * format, 404 + status 0 for an unknown code) and the image host (GET /images/<file>) its image URLs point at,
 * in one node:http server. The images are the cases an image pipeline must survive: a real photo with EXIF
 * orientation 6 and GPS, 50 MB bodies with and without Content-Length, HTML sent as image/jpeg, a PNG that
 * declares 20,000 × 20,000 px, and a slow body. On command the API (or the image host) fails, delays or hangs;
 * it counts every call and records each API call's User-Agent (OFF asks for `AppName/Version (ContactEmail)`).
 */

export type ImageKind = 'photo' | 'huge' | 'huge-no-length' | 'html' | 'bomb' | 'slow';
/** '500' | '503' | '429': that status; 'timeout': never answers (until close); 'malformed': 200 with JSON of the
 * wrong shape (images: a truncated JPEG); 'not-json': 200 with an HTML page (API only). */
export type OffFailKind = '500' | '503' | '429' | 'timeout' | 'malformed' | 'not-json';
export type OffProduct = { name: string; namePt?: string; brand?: string; quantity?: string; categories?: string; image?: ImageKind | null };

export const IMAGE_FILES: Record<ImageKind, string> = {
  photo: 'photo.jpg',
  huge: 'huge.jpg',
  'huge-no-length': 'huge-no-length.jpg',
  html: 'html.jpg',
  bomb: 'bomb.png',
  slow: 'slow.jpg',
};
export const HUGE_BYTES = 50 * 1024 * 1024;
export const BOMB_SIDE = 20_000;

/**
 * An 800 × 600 JPEG whose pixels are stored sideways, as a phone camera does, with EXIF orientation 6 (display
 * rotated 90° clockwise) and a GPS position: upright it is 600 × 800 with a red square at the top left, so a test
 * can tell whether the orientation was applied, and whether the EXIF (with the GPS position) was stripped.
 */
export async function makePhotoJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f4d03f"/><stop offset="1" stop-color="#16a085"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <rect width="120" height="120" fill="#d00000"/>
  <rect x="100" y="250" width="400" height="300" rx="24" fill="#fff" opacity="0.85"/>
  <text x="300" y="390" font-family="sans-serif" font-size="48" text-anchor="middle" fill="#222">Café Torrado</text>
  <text x="300" y="450" font-family="sans-serif" font-size="32" text-anchor="middle" fill="#555">Marca Teste 500 g</text>
</svg>`;
  return sharp(Buffer.from(svg))
    .rotate(270)
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: 'MyInventory', Model: 'stand-in camera' },
      // São Paulo; libvips takes rationals as "num/den" triples (degrees, minutes, seconds).
      IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '23/1 33/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '46/1 38/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/**
 * A PNG that declares 20,000 × 20,000 grey pixels (400 megapixels, 400 MB decoded) in a few kilobytes, crafted by
 * hand so that nothing here renders it: signature, IHDR, an IDAT holding the first 1,000 zero rows, IEND.
 * Note: sharp's default limitInputPixels (16383²) makes even `metadata()` throw on it.
 */
export function makeBombPng(side = BOMB_SIDE): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const frame = Buffer.alloc(8 + data.length + 4);
    frame.writeUInt32BE(data.length, 0);
    typed.copy(frame, 4);
    frame.writeUInt32BE(zlib.crc32(typed), 8 + data.length);
    return frame;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: greyscale; compression, filter, interlace stay 0
  const rows = zlib.deflateSync(Buffer.alloc(1000 * (side + 1)), { level: 9 }); // each row: filter byte + pixels
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

const HTML_PAGE = Buffer.from('<!DOCTYPE html><html><head><title>Open Food Facts</title></head><body><h1>Página em manutenção</h1><p>Tente novamente mais tarde.</p></body></html>');

// Built once per process: a test file starts many stand-ins, the benchmark serves thousands of images.
let images: Promise<{ photo: Buffer; bomb: Buffer }> | undefined;
const loadImages = () => (images ??= makePhotoJpeg().then((photo) => ({ photo, bomb: makeBombPng() })));

/** 50 MB that starts like the photo (so sniffing the first bytes says JPEG) and goes on with zeros, made of one shared chunk. */
function* hugeBody(photo: Buffer) {
  const head = photo.subarray(0, photo.length - 2); // without the EOI marker: the JPEG does not end early
  yield head;
  const zeros = Buffer.alloc(64 * 1024);
  for (let sent = head.length; sent < HUGE_BYTES; sent += zeros.length) yield zeros.subarray(0, Math.min(zeros.length, HUGE_BYTES - sent));
}

const BRANDS = ['Sabor do Campo', 'Casa Verde', 'Nutri+', 'Delícia', 'Bom Preço'];
const QUANTITIES = ['500 g', '1 kg', '1 L', '350 ml', '200 g'];
const CATEGORIES = ['Mercearia, Cafés', 'Bebidas, Sucos', 'Laticínios, Leites', 'Snacks, Biscoitos', 'Limpeza, Detergentes'];
/** The product any 13-digit code gets under `everyEanFound`, the same for the same code. */
function generatedProduct(ean: string): OffProduct {
  const n = Number(ean.slice(-6));
  return { name: `Produto ${ean.slice(-5)}`, namePt: `Produto ${ean.slice(-5)}`, brand: BRANDS[n % 5], quantity: QUANTITIES[n % 5], categories: CATEGORIES[n % 5], image: 'photo' };
}

export async function startOpenFoodFactsStandIn(opts: { everyEanFound?: boolean; delayMs?: number; imageDelayMs?: number; slowImageMs?: number } = {}) {
  const { photo, bomb } = await loadImages();
  const catalogue = new Map<string, OffProduct>();
  let delayMs = opts.delayMs ?? 0;
  let imageDelayMs = opts.imageDelayMs ?? 0;
  let slowImageMs = opts.slowImageMs ?? 5000;
  const failures = { api: { kind: null as OffFailKind | null, left: 0, retryAfter: 1 }, images: { kind: null as OffFailKind | null, left: 0, retryAfter: 1 } };
  const stats = { apiCalls: 0, imageCalls: 0 };
  const userAgents: string[] = [];
  const apiCallTimes: number[] = [];
  const imageCallTimes: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let url = '';

  // Timers are kept so that close() can drop the answers still waiting.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  /** The failure this call gets, if any (decided on arrival, so `count` is spent in arrival order). */
  const takeFailure = (on: 'api' | 'images') => {
    const f = failures[on];
    if (!f.kind || f.left <= 0) return null;
    f.left--;
    return f;
  };
  /** Answers a commanded failure (code: the API's product code; null: an image). 'timeout' never gets here. */
  const sendFailure = (res: http.ServerResponse, f: { kind: OffFailKind | null; retryAfter: number }, code: string | null) => {
    switch (f.kind) {
      case '500':
        return send(res, 500, 'text/html', '<html><body><h1>500 Internal Server Error</h1></body></html>');
      case '503':
        return send(res, 503, 'text/html', '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      case '429':
        return send(res, 429, 'text/html', '<html><body><h1>429 Too Many Requests</h1></body></html>', { 'retry-after': String(f.retryAfter) });
      case 'malformed':
        return code === null
          ? send(res, 200, 'image/jpeg', photo.subarray(0, photo.length >> 1))
          : json(res, 200, { code, status: 1, status_verbose: 'product found', product: { product_name: 42, brands: ['?'], image_front_url: 17 } });
      case 'not-json':
        return send(res, 200, 'text/html; charset=utf-8', HTML_PAGE);
    }
  };
  const productJson = (code: string, p: OffProduct, fields: string[] | null) => {
    const imageUrl = p.image ? `${url}/images/${IMAGE_FILES[p.image]}?code=${code}` : undefined;
    const all: Record<string, string | undefined> = {
      product_name: p.name,
      product_name_pt: p.namePt,
      brands: p.brand,
      quantity: p.quantity,
      categories: p.categories,
      image_front_url: imageUrl,
      image_url: imageUrl,
    };
    // Like OFF: only the requested fields, and a field the product lacks is left out rather than null.
    return Object.fromEntries(Object.entries(all).filter(([k, v]) => v !== undefined && (!fields || fields.includes(k))));
  };

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, code: string, fields: string[] | null) => {
    stats.apiCalls++;
    apiCallTimes.push(Date.now());
    userAgents.push(req.headers['user-agent'] ?? '');
    const failure = takeFailure('api');
    if (failure?.kind === 'timeout') return;
    await sleep(delayMs);
    if (failure) return sendFailure(res, failure, code);
    const product = catalogue.get(code) ?? (opts.everyEanFound && /^\d{13}$/.test(code) ? generatedProduct(code) : undefined);
    if (!product) return json(res, 404, { code, status: 0, status_verbose: 'product not found' });
    json(res, 200, { code, product: productJson(code, product, fields), status: 1, status_verbose: 'product found' });
  };

  const image = async (res: http.ServerResponse, file: string) => {
    stats.imageCalls++;
    imageCallTimes.push(Date.now());
    const kind = (Object.keys(IMAGE_FILES) as ImageKind[]).find((k) => IMAGE_FILES[k] === file);
    if (!kind) return send(res, 404, 'text/html', '<html><body>404 Not Found</body></html>');
    const failure = takeFailure('images');
    if (failure?.kind === 'timeout') return;
    await sleep(imageDelayMs);
    if (failure) return sendFailure(res, failure, null);
    switch (kind) {
      case 'photo':
        return send(res, 200, 'image/jpeg', photo);
      case 'bomb':
        return send(res, 200, 'image/png', bomb);
      case 'html':
        return send(res, 200, 'image/jpeg', HTML_PAGE);
      case 'huge':
      case 'huge-no-length':
        // Streamed from one shared chunk; without Content-Length node sends it chunked.
        res.writeHead(200, { 'content-type': 'image/jpeg', ...(kind === 'huge' ? { 'content-length': String(HUGE_BYTES) } : {}) });
        return pipeline(Readable.from(hugeBody(photo)), res, () => {});
      case 'slow':
        // Headers and the first half now, the rest later: catches a download timeout that only covers the headers.
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(photo.length) });
        res.write(photo.subarray(0, photo.length >> 1));
        await sleep(slowImageMs);
        return res.end(photo.subarray(photo.length >> 1));
    }
  };

  const server = http.createServer((req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://stand-in');
    const product = /^\/api\/v2\/product\/([^/]+?)(?:\.json)?$/.exec(pathname);
    const file = /^\/images\/([^/]+)$/.exec(pathname);
    req.resume();
    if (req.method === 'GET' && product) return void api(req, res, decodeURIComponent(product[1]!), searchParams.get('fields')?.split(',').map((f) => f.trim()) ?? null);
    if (req.method === 'GET' && file) return void image(res, file[1]!);
    send(res, 404, 'text/html', '<html><body>404 Not Found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    /** Where the image host serves `kind`. */
    imageUrl: (kind: ImageKind) => `${url}/images/${IMAGE_FILES[kind]}`,
    /** Makes `ean` found; its image URLs point at `image` on this server ('photo' unless given; null: no image). */
    addProduct(ean: string, product: OffProduct) {
      catalogue.set(ean, { image: 'photo', ...product });
    },
    /** Delay before every API answer (failures included). */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /** Delay before every image answer (headers included). */
    setImageDelay(ms: number) {
      imageDelayMs = ms;
    },
    /** How long the 'slow' image holds back the second half of its body (default 5 s). */
    setSlowImageDelay(ms: number) {
      slowImageMs = ms;
    },
    /** The next `count` calls (default: all until recover()) to the API (or with on: 'images', the image host) fail as `kind`. */
    fail(kind: OffFailKind, { count = Infinity, on = 'api', retryAfter = 1 }: { count?: number; on?: 'api' | 'images'; retryAfter?: number } = {}) {
      if (on === 'images' && kind === 'not-json') throw new Error("'not-json' applies to the API; the image host has 'html'");
      failures[on] = { kind, left: count, retryAfter };
    },
    recover() {
      failures.api.left = 0;
      failures.images.left = 0;
    },
    get apiCalls() {
      return stats.apiCalls;
    },
    get imageCalls() {
      return stats.imageCalls;
    },
    /** The User-Agent of each API call, in order ('' when none was sent). */
    userAgents,
    /** Date.now() of each API call, so a test can count calls per interval. */
    apiCallTimes,
    imageCallTimes,
    /** Ends hung and streaming requests too. */
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
export type OpenFoodFactsStandIn = Awaited<ReturnType<typeof startOpenFoodFactsStandIn>>;
