import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="center-screen">
      <section className="card narrow">
        <h1>Página não encontrada</h1>
        <p>O endereço que você abriu não existe ou foi movido.</p>
        <p>
          <Link href="/" className="btn btn-primary">
            Ir para o início
          </Link>
        </p>
      </section>
    </main>
  );
}
