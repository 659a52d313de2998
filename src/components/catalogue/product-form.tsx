'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { eanCheckDigit, isValidEan13 } from '~/lib/ean';
import { describeError, errorReason, fieldErrors } from '~/lib/trpc/errors';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { useSession } from '../session';
import { SelectField, TextField } from '../ui/fields';
import { ErrorAlert, Notice } from '../ui/feedback';
import { decimalPlaces, formatMoney, parseDecimal } from '../ui/format';
import { Modal } from '../ui/modal';
import styles from './catalogue.module.css';

export type Product = RouterOutputs['products']['list']['items'][number];
type CreateInput = RouterInputs['products']['create'];
type UpdateInput = RouterInputs['products']['update'];
type ErrorLike = { message: string; data?: unknown };

const UNITS = ['un', 'kg', 'g', 'l', 'ml', 'cx', 'pct', 'dz'];

/** The EAN as a person can fix it: length first, then which check digit the first 12 digits call for. */
export function eanError(ean: string): string | undefined {
  if (ean === '') return 'Informe o EAN';
  if (!/^\d+$/.test(ean)) return 'Use só números';
  if (ean.length !== 13) return `Use 13 dígitos (tem ${ean.length})`;
  if (!isValidEan13(ean)) return `Dígito verificador incorreto: para estes 12 primeiros dígitos, o último deveria ser ${eanCheckDigit(ean.slice(0, 12))}`;
  return undefined;
}

function priceError(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  const value = parseDecimal(text);
  if (value === null) return 'Informe um valor, por exemplo 12,50';
  if (decimalPlaces(value) > 2) return 'Use no máximo 2 casas decimais (centavos)';
  if (value > 1_000_000) return 'Deve ser no máximo R$ 1.000.000,00';
  return undefined;
}

/** An AppError's `details.field` (e.g. buyerId) names the field a domain error belongs to. */
function detailsField(error: ErrorLike | null): string | undefined {
  const details = (error?.data as { details?: { field?: unknown } | null } | undefined)?.details;
  return typeof details?.field === 'string' ? details.field : undefined;
}

/** What a new product's form starts with (e.g. the scanned EAN and what Open Food Facts knows of it). */
export type ProductInitialValues = { ean: string; name?: string | null; brand?: string | null; category?: string | null };
/** A line over a new product's form: where its values came from, or why they did not. */
export type ProductFormNotice = { tone: 'info' | 'warning'; text: string };

type ProductFormDialogProps = {
  product: Product | 'new' | null;
  categories: string[];
  onClose: () => void;
  /** `product` is the product as saved (created or updated). */
  onSaved: (message: string, product?: Product) => void | Promise<void>;
  /** A new product's starting values (ignored when editing). */
  initial?: ProductInitialValues | null;
  notice?: ProductFormNotice | null;
};

export function ProductFormDialog({ product, ...rest }: ProductFormDialogProps) {
  const [busy, setBusy] = useState(false);
  const title = product === 'new' ? 'Novo produto' : `Editar ${product?.name ?? ''}`;
  return (
    <Modal open={product !== null} title={title} onClose={rest.onClose} busy={busy}>
      {product !== null ? <ProductForm key={product === 'new' ? `new:${rest.initial?.ean ?? ''}` : product.id} product={product} onBusyChange={setBusy} {...rest} /> : null}
    </Modal>
  );
}

function ProductForm({
  product,
  categories,
  onClose,
  onSaved,
  onBusyChange,
  initial,
  notice,
}: Omit<ProductFormDialogProps, 'product'> & { product: Product | 'new'; onBusyChange: (busy: boolean) => void }) {
  const { user } = useSession();
  const existing = product === 'new' ? null : product;
  const start = existing ?? initial ?? null;
  const isAdmin = user.role === 'admin';

  const [ean, setEan] = useState(start?.ean ?? '');
  const [name, setName] = useState(start?.name ?? '');
  const [brand, setBrand] = useState(start?.brand ?? '');
  const [category, setCategory] = useState(start?.category ?? '');
  const [unit, setUnit] = useState(existing?.unit ?? 'un');
  const [price, setPrice] = useState(existing ? String(existing.referencePrice).replace('.', ',') : '');
  const [plu, setPlu] = useState(existing?.plu ?? '');
  // A buyer creating a product buys it themselves unless they say otherwise; '' = the category's buyer.
  const [buyerId, setBuyerId] = useState(existing ? (existing.buyerId ?? '') : isAdmin ? '' : user.id);
  const [touched, setTouched] = useState(false);

  const buyers = api.admin.users.list.useQuery({ role: 'buyer', active: true, limit: 200 }, { enabled: isAdmin });
  const buyerOptions = isAdmin
    ? (buyers.data?.items ?? []).map((b) => ({ id: b.id, name: b.name }))
    : [{ id: user.id, name: `${user.name} (você)` }];
  if (existing?.buyerId && !buyerOptions.some((b) => b.id === existing.buyerId)) {
    buyerOptions.push({ id: existing.buyerId, name: existing.buyerName ?? 'Comprador atual' });
  }

  const create = api.products.create.useMutation({ onSuccess: (p) => onSaved(`Produto ${p.name} criado.`, p) });
  const update = api.products.update.useMutation({ onSuccess: (p) => onSaved(`Produto ${p.name} atualizado.`, p) });
  const mutation = existing ? update : create;
  const pending = mutation.isPending;
  useEffect(() => onBusyChange(pending), [pending, onBusyChange]);

  const server = fieldErrors(mutation.error);
  const reason = errorReason(mutation.error);
  if (reason === 'ean_taken') server.ean = describeError(mutation.error);
  else if (reason === 'plu_taken') {
    // With no PLU sent, the unique value that clashed can only be the EAN.
    const sentPlu = (mutation.variables as { plu?: string | null } | undefined)?.plu;
    if (sentPlu) server.plu = describeError(mutation.error);
    else server.ean = `Já existe um produto com o EAN ${ean.trim()}`;
  }
  const domainField = detailsField(mutation.error);
  if (mutation.error && domainField && !server[domainField]) server[domainField] = describeError(mutation.error);

  const local = {
    ean: eanError(ean.trim()),
    name: name.trim() ? undefined : 'Informe o nome',
    referencePrice: priceError(price),
    plu: plu.trim() && !/^\d{4,6}$/.test(plu.trim()) ? 'Use de 4 a 6 dígitos' : undefined,
  };
  const shown = (field: keyof typeof local) => (touched ? local[field] : undefined) ?? server[field];
  const serverShownInFields = Object.keys(server).length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.values(local).some(Boolean)) return;
    const values: Omit<CreateInput, 'ean'> = {
      name: name.trim(),
      brand: brand.trim() || null,
      category: category.trim() || null,
      unit,
      plu: plu.trim() || null,
      buyerId: buyerId || null,
      ...(price.trim() ? { referencePrice: parseDecimal(price)! } : {}),
    };
    if (!existing) {
      create.mutate({ ean: ean.trim(), ...values });
      return;
    }
    // Only what changed: an unchanged buyer who has since left is not re-checked, an unchanged EAN not re-sent.
    const changes: UpdateInput = { id: existing.id };
    if (ean.trim() !== existing.ean) changes.ean = ean.trim();
    if (values.name !== existing.name) changes.name = values.name;
    if (values.brand !== existing.brand) changes.brand = values.brand;
    if (values.category !== existing.category) changes.category = values.category;
    if (values.unit !== existing.unit) changes.unit = values.unit;
    if (values.plu !== existing.plu) changes.plu = values.plu;
    if ((values.buyerId ?? null) !== existing.buyerId) changes.buyerId = values.buyerId;
    if (values.referencePrice !== undefined && values.referencePrice !== existing.referencePrice) changes.referencePrice = values.referencePrice;
    if (Object.keys(changes).length === 1) {
      void onSaved('Nada foi alterado.');
      return;
    }
    update.mutate(changes);
  };

  const units = UNITS.includes(unit) ? UNITS : [...UNITS, unit];
  const parsedPrice = parseDecimal(price);

  return (
    <form onSubmit={submit} noValidate className="form">
      {notice && !existing ? (
        <Notice tone={notice.tone}>
          <p>{notice.text}</p>
        </Notice>
      ) : null}
      <TextField
        label="EAN (código de barras)"
        value={ean}
        onChange={(e) => setEan(e.target.value.replace(/\s/g, ''))}
        onBlur={() => ean && setTouched(true)}
        required
        inputMode="numeric"
        autoComplete="off"
        maxLength={13}
        className="mono"
        hint="13 dígitos; o último é o dígito verificador."
        error={shown('ean')}
      />
      <TextField label="Nome" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" maxLength={200} error={shown('name')} />
      <div className={styles.formRow}>
        <TextField label="Marca" value={brand} onChange={(e) => setBrand(e.target.value)} autoComplete="off" maxLength={100} error={server.brand} />
        <TextField label="Categoria" value={category} onChange={(e) => setCategory(e.target.value)} autoComplete="off" maxLength={100} list="catalogue-categories" error={server.category} />
        <datalist id="catalogue-categories">
          {categories.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </div>
      <div className={styles.formRow}>
        <SelectField label="Unidade" value={unit} onChange={(e) => setUnit(e.target.value)} error={server.unit}>
          {units.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Preço de referência (R$)"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0,00"
          hint={parsedPrice !== null && !local.referencePrice ? formatMoney(parsedPrice) : 'Por exemplo 12,50'}
          error={shown('referencePrice')}
        />
        <TextField
          label="PLU (balança)"
          value={plu}
          onChange={(e) => setPlu(e.target.value)}
          inputMode="numeric"
          autoComplete="off"
          maxLength={6}
          hint="Só para produtos vendidos por peso."
          error={shown('plu')}
        />
      </div>
      <SelectField
        label="Comprador responsável"
        value={buyerId}
        onChange={(e) => setBuyerId(e.target.value)}
        disabled={isAdmin && buyers.isPending}
        hint="Quem aprova as solicitações deste produto. Sem comprador próprio, vale o comprador da categoria."
        error={server.buyerId}
      >
        <option value="">{isAdmin && buyers.isPending ? 'Carregando compradores…' : 'Comprador da categoria'}</option>
        {buyerOptions.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </SelectField>
      {buyers.isError ? <ErrorAlert error={buyers.error} title="Não foi possível carregar os compradores" onRetry={() => void buyers.refetch()} /> : null}
      {mutation.isError && !serverShownInFields ? <ErrorAlert error={mutation.error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={pending}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? 'Salvando…' : existing ? 'Salvar alterações' : 'Criar produto'}
        </button>
      </div>
    </form>
  );
}
