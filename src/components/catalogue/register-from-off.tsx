'use client';

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { describeError } from '~/lib/trpc/errors';
import { api, type Role, type RouterOutputs } from '~/lib/trpc/react';
import { useSession } from '../session';
import { ProductFormDialog, type Product, type ProductFormNotice, type ProductInitialValues } from './product-form';

type Prefill = NonNullable<RouterOutputs['products']['prefill']>;
type Opened = { initial: ProductInitialValues; notice: ProductFormNotice };

/** Who keeps the catalogue (products.create and products.prefill: the server allows the same roles). */
export const canRegisterProducts = (role: Role) => role === 'admin' || role === 'buyer';

export const OFF_UNKNOWN = 'O Open Food Facts não conhece este código; preencha à mão.';

/**
 * The form's starting values from Open Food Facts. The quantity ("1 kg") joins the name when the name does not
 * have it already: the catalogue tells sizes apart by name.
 */
export function prefillValues(found: Prefill): ProductInitialValues {
  const name = found.name?.trim() ?? '';
  const quantity = found.quantity?.trim() ?? '';
  const withQuantity = quantity && !name.toLowerCase().includes(quantity.toLowerCase()) ? `${name} ${quantity}`.trim() : name;
  return { ean: found.ean, name: withQuantity.slice(0, 200), brand: found.brand, category: found.category };
}

/**
 * "Cadastrar pelo Open Food Facts" for an EAN the catalogue lacks: one tap asks Open Food Facts (products.prefill)
 * and opens the product form with what it knows, for a buyer or admin to check and save. When it does not know the
 * code, or does not answer, the form opens with the EAN alone and says why. `dialog` must be rendered once by the
 * screen; `start(ean)` is what each button calls, `asking` the EAN being looked up.
 */
export function useRegisterFromOff({ onCreated }: { onCreated: (product: Product, message: string) => void }) {
  const { user } = useSession();
  const utils = api.useUtils();
  const [asking, setAsking] = useState<string | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [created, setCreated] = useState<{ product: Product; message: string } | null>(null);
  const categories = api.products.categories.useQuery(undefined, { staleTime: 5 * 60_000, enabled: opened !== null });

  const start = async (ean: string) => {
    if (asking) return;
    setAsking(ean);
    try {
      const found = await utils.products.prefill.fetch({ ean }, { staleTime: 0 });
      setOpened(
        found
          ? { initial: prefillValues(found), notice: { tone: 'info', text: 'Dados do Open Food Facts: confira antes de salvar.' } }
          : { initial: { ean }, notice: { tone: 'warning', text: OFF_UNKNOWN } },
      );
    } catch (error) {
      // Turned off or not answering (or no network): the person types the product in.
      setOpened({ initial: { ean }, notice: { tone: 'warning', text: describeError(error as { message: string }) } });
    } finally {
      setAsking(null);
    }
  };

  // Told after the commit that closed the dialog (the dialog's own effect runs first and gives the focus back), so
  // the screen can move the focus on, to its scan field.
  const latestOnCreated = useRef(onCreated);
  latestOnCreated.current = onCreated;
  useEffect(() => {
    if (!created) return;
    setCreated(null);
    latestOnCreated.current(created.product, created.message);
  }, [created]);

  // One function for the screen's life: rows memoized on it are not drawn again on every render.
  const latestStart = useRef(start);
  latestStart.current = start;
  const stableStart = useCallback((ean: string) => void latestStart.current(ean), []);

  const dialog: ReactNode = (
    <ProductFormDialog
      product={opened ? 'new' : null}
      initial={opened?.initial}
      notice={opened?.notice}
      categories={(categories.data ?? []).flatMap((c) => (c.category ? [c.category] : []))}
      onClose={() => setOpened(null)}
      onSaved={(message, product) => {
        setOpened(null);
        void Promise.all([utils.products.list.invalidate(), utils.products.categories.invalidate()]);
        if (product) setCreated({ product, message });
      }}
    />
  );

  return { allowed: canRegisterProducts(user.role), asking, start: stableStart, dialog };
}

/** The button beside an unknown EAN; the EAN is in its accessible name, for lists of several. */
export function RegisterFromOffButton({ ean, asking, onStart, disabled }: { ean: string; asking: string | null; onStart: (ean: string) => void; disabled?: boolean }) {
  return (
    <button type="button" className="btn btn-secondary" onClick={() => onStart(ean)} disabled={disabled || asking !== null}>
      {asking === ean ? 'Consultando o Open Food Facts…' : 'Cadastrar pelo Open Food Facts'}
      <span className="sr-only"> (EAN {ean})</span>
    </button>
  );
}
