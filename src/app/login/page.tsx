import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoginForm } from '~/components/login-form';
import styles from './login.module.css';

export const metadata: Metadata = { title: 'Entrar' };

const demoLogins = [
  { role: 'Administrador', email: 'admin@demo.test' },
  { role: 'Gerente', email: 'gerente@demo.test' },
  { role: 'Comprador', email: 'comprador@demo.test' },
  { role: 'Operador de loja', email: 'caixa@demo.test' },
];

export default function LoginPage() {
  return (
    <main className={styles.page}>
      <section className={styles.panel} aria-labelledby="login-title">
        <p className={styles.brand}>MyInventory</p>
        <h1 id="login-title" className={styles.title}>
          Entrar
        </h1>
        <p className={styles.lead}>Use o e-mail e a senha que o administrador da sua rede cadastrou.</p>
        <Suspense fallback={<p className="loading">Carregando…</p>}>
          <LoginForm />
        </Suspense>
      </section>
      <aside className={styles.demo} aria-labelledby="demo-title">
        <h2 id="demo-title">Acessos de demonstração</h2>
        <p>
          Senha de todos: <code>demo1234</code>
        </p>
        <dl>
          {demoLogins.map((login) => (
            <div key={login.email} className={styles.demoRow}>
              <dt>{login.role}</dt>
              <dd>
                <code>{login.email}</code>
              </dd>
            </div>
          ))}
        </dl>
      </aside>
    </main>
  );
}
