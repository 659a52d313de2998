import type { Role } from '~/lib/trpc/react';

export type NavItem = {
  href: string;
  /** Also the link's accessible name: tests find links by it, so change it only with them. */
  label: string;
  description: string;
  roles: readonly Role[];
};

/** The one list of areas and who may open them. The server enforces the same rules on every procedure. */
export const navItems: readonly NavItem[] = [
  { href: '/', label: 'Início', description: 'Resumo e atalhos.', roles: ['clerk', 'buyer', 'manager', 'admin'] },
  {
    href: '/purchase-requests',
    label: 'Solicitações de compra',
    description: 'Crie e acompanhe pedidos de reposição da loja.',
    roles: ['clerk', 'manager', 'admin'],
  },
  {
    href: '/approvals',
    label: 'Aprovações',
    description: 'Aprove ou rejeite, item a item, os pedidos dos produtos que você compra.',
    roles: ['buyer', 'admin'],
  },
  {
    href: '/inventory',
    label: 'Inventário',
    description: 'Conte o estoque escaneando os códigos de barras (EAN).',
    // Admins too: they may open, run and count inventories (the server allows it).
    roles: ['clerk', 'manager', 'admin'],
  },
  {
    href: '/stock',
    label: 'Estoque',
    description: 'O saldo de cada produto por loja e o histórico de entradas e saídas; gerentes ajustam, registram perdas e transferem.',
    // Buyers read any store's stock (and see it beside each item they decide); only managers and admins change it.
    roles: ['clerk', 'buyer', 'manager', 'admin'],
  },
  {
    href: '/receiving',
    label: 'Recebimento',
    description: 'Receba as entregas dos pedidos aprovados escaneando o que chegou, mesmo sem rede.',
    roles: ['clerk', 'manager', 'admin'],
  },
  {
    href: '/compliance',
    label: 'Conformidade',
    description: 'Tarefas com fotos: gôndolas, preços e promoções de cada loja, verificadas pelo Google Vision.',
    roles: ['clerk', 'manager', 'admin'],
  },
  {
    href: '/dashboard',
    label: 'Painel',
    description: 'Solicitações, inventários e conformidade por loja e da rede, ao vivo.',
    // Clerks see the panel of their own store(s); the server scopes it.
    roles: ['clerk', 'manager', 'admin'],
  },
  {
    href: '/catalogue',
    label: 'Catálogo',
    description: 'Produtos, códigos de barras, preços de referência e compradores responsáveis.',
    roles: ['clerk', 'buyer', 'manager', 'admin'],
  },
  {
    href: '/photos',
    label: 'Fotos dos produtos',
    description: 'Aprove, recuse ou troque as fotos que a análise automática não aprovou.',
    roles: ['buyer', 'admin'],
  },
  { href: '/admin', label: 'Administração', description: 'Usuários, lojas, tokens de API e auditoria.', roles: ['admin'] },
];

export function navItemsFor(role: Role): NavItem[] {
  return navItems.filter((item) => item.roles.includes(role));
}

/** The area a path belongs to: the item with the longest matching prefix. */
export function navItemForPath(pathname: string): NavItem | undefined {
  let best: NavItem | undefined;
  for (const item of navItems) {
    const matches = item.href === '/' ? pathname === '/' : pathname === item.href || pathname.startsWith(`${item.href}/`);
    if (matches && (!best || item.href.length > best.href.length)) best = item;
  }
  return best;
}

export function isActivePath(item: NavItem, pathname: string): boolean {
  return navItemForPath(pathname)?.href === item.href;
}

export function findNavItem(href: string): NavItem {
  const item = navItems.find((i) => i.href === href);
  if (!item) throw new Error(`No nav item for ${href}`);
  return item;
}
