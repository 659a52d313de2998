import type { NavItem } from './nav';

/** Placeholder for an area that is planned but not built yet. */
export function ComingSoon({ item }: { item: NavItem }) {
  return (
    <section className="coming-soon" aria-labelledby="coming-soon-title">
      <h1 id="coming-soon-title">{item.label}</h1>
      <p className="badge badge-soon">Em breve</p>
      <p>{item.description}</p>
      <p className="muted">Esta área ainda está em construção e chega em uma próxima versão do MyInventory.</p>
    </section>
  );
}
