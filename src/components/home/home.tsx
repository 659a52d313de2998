'use client';

import Link from 'next/link';
import { AssignedCounts } from '../inventory/assigned-counts';
import { navItemsFor } from '../nav';
import { roleLabels } from '../roles';
import { useSession } from '../session';
import styles from './home.module.css';

export function Home() {
  const { user, organization } = useSession();
  const areas = navItemsFor(user.role).filter((item) => item.href !== '/');
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Olá, {user.name}</h1>
          <p className="page-description">
            Você está em <strong>{organization.name}</strong> como <strong>{roleLabels[user.role]}</strong>.
          </p>
        </div>
      </div>
      {user.role === 'buyer' ? null : <AssignedCounts clerk={user.role === 'clerk'} />}
      <h2 className="section-title">Suas áreas</h2>
      {areas.length === 0 ? (
        <p className="muted">Ainda não há áreas disponíveis para o seu papel.</p>
      ) : (
        <ul className={styles.cardGrid}>
          {areas.map((item) => (
            <li key={item.href} className={`card ${styles.areaCard}`}>
              <h3>
                <Link href={item.href} className={styles.cardLink}>
                  {item.label}
                </Link>
              </h3>
              <p>{item.description}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
