import { createHash } from 'node:crypto';
import type { LocalAuthority } from './status';

/**
 * The page a tablet opens first (/instalar, over plain HTTP too): the store's authority to download, how Android and
 * iPadOS trust it, its fingerprint to compare, and the secure address to open afterwards. Plain HTML with a few lines
 * of script: it must work before the app's own scripts can (no secure context, no service worker yet).
 */
export const CA_CERT_FILE = 'myinventory-ca.crt';
export const CA_PEM_FILE = 'myinventory-ca.pem';

/**
 * Over plain HTTP, asks whether this device already trusts the store's certificate: a request to the secure address
 * succeeds only then. A device that does goes on to the secure address (where it was going, when sent here).
 */
const TRUST_PROBE = `(function () {
  var body = document.body, state = document.getElementById('trust');
  if (!state || location.protocol === 'https:') return;
  var origin = body.getAttribute('data-https'), next = body.getAttribute('data-next');
  fetch(origin + '/api/health/live', { mode: 'no-cors', cache: 'no-store' }).then(function () {
    state.setAttribute('data-state', 'trusted');
    state.textContent = 'Este aparelho já confia no certificado da loja.' + (next ? ' Abrindo o MyInventory…' : ' Abra o MyInventory pelo endereço seguro.');
    if (next) location.replace(origin + next);
  }, function () {
    state.setAttribute('data-state', 'untrusted');
    state.textContent = 'Este aparelho ainda não confia no certificado da loja: siga os passos abaixo uma vez.';
  });
})();`;

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
  body { margin: 0 auto; max-width: 46rem; padding: 1.25rem; line-height: 1.5; color: #1a1d21; background: #fff; }
  h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
  h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
  .status { padding: .9rem 1rem; border-radius: .5rem; background: #eef2f7; font-weight: 600; }
  .status[data-state=trusted] { background: #e3f4e8; }
  .status[data-state=untrusted] { background: #fff4d6; }
  .actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
  .btn { display: inline-block; min-height: 48px; padding: .8rem 1.2rem; border-radius: .5rem; font-size: 1.05rem; font-weight: 600; text-decoration: none; border: 2px solid #0b5cad; color: #0b5cad; }
  .btn-primary { background: #0b5cad; color: #fff; }
  .fingerprint { font-family: ui-monospace, monospace; font-size: .95rem; word-break: break-all; background: #f5f6f8; padding: .6rem; border-radius: .4rem; }
  ol li { margin: .4rem 0; }
  .qr { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
  .qr svg { width: 200px; height: 200px; }
  .muted { color: #5a6270; font-size: .95rem; }
  code { font-family: ui-monospace, monospace; }
`;

const scriptHash = `'sha256-${createHash('sha256').update(TRUST_PROBE).digest('base64')}'`;

/** The page's own policy: its one script by hash, its styles inline, the probe to the secure address, nothing else. */
export const installPagePolicy = (secureOrigin: string | null) =>
  [
    "default-src 'none'",
    `script-src ${scriptHash}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${secureOrigin ?? "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const day = (date: Date) => date.toLocaleDateString('pt-BR', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });

function layout(title: string, bodyAttributes: string, content: string): string {
  return `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)} — MyInventory</title>
<style>${STYLE}</style>
</head>
<body${bodyAttributes}>
${content}
</body>
</html>`;
}

export function renderInstallPage(opts: { authority: LocalAuthority; origin: string; next: string | null; secure: boolean; qr: string }): string {
  const { authority, origin, next, secure, qr } = opts;
  const content = `<main>
<h1>Instalar o MyInventory neste tablet</h1>
<p>Para contar sem internet e usar a câmera, o navegador precisa confiar no servidor da loja. Instale <strong>uma vez</strong> o certificado da loja; depois o endereço seguro abre sem avisos, e o MyInventory funciona offline.</p>
<p id="trust" class="status" role="status">${
    secure
      ? 'Você está no endereço seguro. Se o navegador mostrou um aviso de certificado para chegar aqui, este aparelho ainda não confia no certificado: siga os passos abaixo.'
      : 'Verificando se este aparelho já confia no certificado da loja…'
  }</p>
<div class="actions">
  <a class="btn btn-primary" href="/instalar/${CA_CERT_FILE}" download>Baixar o certificado da loja</a>
  <a class="btn" href="${escape(origin)}/">Abrir o MyInventory (endereço seguro)</a>
</div>
<p>Certificado: <strong>${escape(authority.subject)}</strong>, válido até ${day(authority.expiresAt)}.</p>
<p>Impressão digital (SHA-256) — confira se é a mesma mostrada no aparelho antes de confiar:</p>
<p class="fingerprint" data-testid="ca-fingerprint">${escape(authority.fingerprint)}</p>

<h2>Tablet Android</h2>
<ol>
  <li>Toque em <strong>Baixar o certificado da loja</strong>. Se o navegador perguntar, mantenha o arquivo <code>${CA_CERT_FILE}</code>.</li>
  <li>Abra <strong>Configurações → Segurança e privacidade → Mais configurações de segurança → Criptografia e credenciais → Instalar um certificado → Certificado CA</strong>. Os nomes mudam de um fabricante para outro: se não encontrar, busque “certificado” nas Configurações.</li>
  <li>Toque em <strong>Instalar mesmo assim</strong>, confirme com o PIN ou senha do tablet e escolha <code>${CA_CERT_FILE}</code> na pasta Downloads.</li>
  <li>Confira a impressão digital em <strong>Criptografia e credenciais → Credenciais confiáveis → Usuário</strong>: toque no certificado “MyInventory” e compare o SHA-256 com o desta página.</li>
  <li>Feche o navegador, abra-o de novo e toque em <strong>Abrir o MyInventory</strong>.</li>
</ol>

<h2>iPad (iPadOS)</h2>
<ol>
  <li>Abra esta página no <strong>Safari</strong> e toque em <strong>Baixar o certificado da loja</strong>; toque em <strong>Permitir</strong>.</li>
  <li>Abra <strong>Ajustes → Perfil Baixado</strong> (ou <strong>Ajustes → Geral → VPN e Gerenciamento de Dispositivo</strong>), toque no perfil do MyInventory e em <strong>Instalar</strong>; digite o código do iPad.</li>
  <li>Ainda no perfil, toque em <strong>Mais Detalhes</strong> e compare a impressão digital SHA-256 com a desta página.</li>
  <li>Abra <strong>Ajustes → Geral → Sobre → Ajustes de Confiança de Certificados</strong> e ative a confiança total no certificado “MyInventory”.</li>
  <li>Volte ao Safari e toque em <strong>Abrir o MyInventory</strong>.</li>
</ol>

<h2>Endereço seguro</h2>
<div class="qr">
  <div role="img" aria-label="QR code do endereço seguro ${escape(origin)}/">${qr}</div>
  <p><a href="${escape(origin)}/">${escape(origin)}/</a><br><span class="muted">Aponte a câmera de outro tablet para abrir o endereço. Depois de instalar o certificado, adicione o MyInventory à tela inicial.</span></p>
</div>

<p class="muted">Cada tablet faz isto uma vez. Se o endereço do servidor mudar, ele emite um certificado novo assinado pela mesma autoridade, e os tablets continuam confiando. Instale o certificado apenas se a impressão digital for igual à mostrada na página Sistema do administrador, no computador da loja.</p>
</main>
<script>${TRUST_PROBE}</script>`;
  return layout('Instalar o certificado da loja', ` data-https="${escape(origin)}"${next ? ` data-next="${escape(next)}"` : ''}`, content);
}

/** /instalar on a plain-HTTP server with no HTTPS of its own: what the tablet lacks, and who turns it on. */
export function renderHttpsOffPage(): string {
  const content = `<main>
<h1>Este servidor ainda não usa HTTPS</h1>
<p class="status" role="status">Sem HTTPS, o navegador do tablet não deixa o MyInventory funcionar sem internet nem usar a câmera: a contagem só funciona online.</p>
<p>Peça a quem cuida do servidor da loja para iniciá-lo com <code>HTTPS_LOCAL_CA=true</code> (seção “HTTPS in the store” do README). O servidor passa a ter um certificado da própria loja, e esta página mostra como instalá-lo em cada tablet, uma única vez.</p>
<p><a class="btn" href="/">Voltar ao MyInventory</a></p>
</main>`;
  return layout('HTTPS desligado', '', content);
}
