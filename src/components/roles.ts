import type { Role } from '~/lib/trpc/react';

/** Every role, in the order people expect them in a list; `satisfies` keeps it in step with the server's enum. */
export const roles = ['clerk', 'buyer', 'manager', 'admin'] as const satisfies readonly Role[];

export const roleLabels: Record<Role, string> = {
  clerk: 'Operador de loja',
  buyer: 'Comprador',
  manager: 'Gerente',
  admin: 'Administrador',
};
