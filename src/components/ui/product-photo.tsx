import type { ReactNode } from 'react';
import { photoUrl } from '~/lib/photos';
import styles from './product-photo.module.css';

/**
 * A product's approved photo, small (128 px WebP served by our server, cached by the browser and the service
 * worker); without one, its initials on a tinted square, so a list keeps its rhythm and a clerk still finds the row
 * by shape. Decorative (`alt=""`): the name is always beside it.
 */
export function ProductPhoto({ productId, photoId, name, size = 56 }: { productId: string; photoId: string | null | undefined; name: string; size?: number }) {
  const src = photoUrl(productId, photoId, 'thumb');
  if (src) return <img className={styles.photo} src={src} alt="" loading="lazy" decoding="async" width={size} height={size} style={{ width: size, height: size }} />;
  const initials = name
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return (
    <span className={styles.initials} aria-hidden="true" style={{ width: size, height: size, fontSize: size / 3 }}>
      {initials || '•'}
    </span>
  );
}

/**
 * A product's photo (or initials) beside what names it, on the left of a row: the text keeps the rest of the width
 * and wraps. Not printed (a printed list is read line by line, and a lazy picture may not have loaded).
 */
export function WithProductPhoto({
  productId,
  photoId,
  name,
  size = 48,
  children,
}: {
  productId: string | null | undefined;
  photoId: string | null | undefined;
  name: string;
  size?: number;
  children: ReactNode;
}) {
  return (
    <span className={styles.withPhoto}>
      {productId ? (
        <span className={`${styles.picture} no-print`}>
          <ProductPhoto productId={productId} photoId={photoId} name={name} size={size} />
        </span>
      ) : null}
      <span className={styles.beside}>{children}</span>
    </span>
  );
}
