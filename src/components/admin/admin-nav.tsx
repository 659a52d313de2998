'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import styles from './admin.module.css';

export const adminSections = [
  { href: '/admin/users', label: 'Usuários' },
  { href: '/admin/stores', label: 'Lojas' },
  { href: '/admin/tokens', label: 'Tokens de API' },
  { href: '/admin/audit', label: 'Auditoria' },
  // Not /admin/queues: the server serves Bull Board there (to the platform operator only).
  { href: '/admin/operations', label: 'Filas' },
  { href: '/admin/dead-letters', label: 'Tarefas com erro' },
  { href: '/admin/events', label: 'Eventos' },
  { href: '/admin/flags', label: 'Recursos' },
  { href: '/admin/system', label: 'Sistema' },
] as const;

export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav className={styles.subNav} aria-label="Seções da administração">
      <ul>
        {adminSections.map((section) => (
          <li key={section.href}>
            <Link href={section.href} className={styles.subNavLink} aria-current={pathname === section.href ? 'page' : undefined}>
              {section.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
