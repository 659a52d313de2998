/** The longest side a photo keeps on its way up from the tablet: enough for 512 px thumbnails and a zoom. */
const LONGEST_SIDE = 1600;

/**
 * A photo from the camera or the gallery, reduced on the tablet before it is sent (a 12-megapixel shot is 4 MB;
 * this is ~300 KB): drawn upright (the browser applies EXIF orientation when decoding) at most 1,600 px on its
 * longest side, as JPEG, which also drops its metadata (location). Base64, as the tRPC mutation takes it.
 */
export async function reducePhoto(file: Blob): Promise<string> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' }).catch(() => {
    throw new Error('Não foi possível ler esta imagem. Tire outra foto ou escolha um arquivo JPEG ou PNG.');
  });
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('Não foi possível preparar a foto.'))), 'image/jpeg', 0.85));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
