// The page's "Notify me" and "Hide my address" form (POST /api/subscriptions, POST /api/optout). Not part of the
// esbuild bundle: it needs nothing from the library. The server answers every well-formed address alike (202), so
// the page says the same whether or not the address was already subscribed or hidden.
const form = document.getElementById('notify-form');
const input = document.getElementById('notify-email');
const status = document.getElementById('notify-status');

function show(kind, text) {
  status.className = `status ${kind}`;
  status.textContent = text;
}

function busy(value) {
  form.setAttribute('aria-busy', String(value));
  for (const button of form.querySelectorAll('button[type=submit]')) {
    button.disabled = value;
  }
}

async function submit(event) {
  event.preventDefault();
  const optOut = event.submitter?.value === 'optout';
  const email = input.value.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    input.setAttribute('aria-invalid', 'true');
    show('error', 'That does not look like a valid email address.');
    return;
  }

  input.removeAttribute('aria-invalid');
  busy(true);
  show('pending', 'Sending…');
  try {
    const response = await fetch(optOut ? '/api/optout' : '/api/subscriptions', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (response.status === 202) {
      show('good', optOut
        ? 'Check your inbox: open the link in the email and press the button there to hide this address. The link works for 24 hours.'
        : 'Check your inbox: open the link in the email to confirm. The link works for 24 hours.');
    } else if (response.status === 400) {
      input.setAttribute('aria-invalid', 'true');
      show('error', 'That does not look like a valid email address.');
    } else if (response.status === 429) {
      show('error', 'Too many requests from this network. Please try again in a minute.');
    } else {
      show('error', 'The server could not take the request. Please try again later.');
    }
  } catch {
    show('error', 'The server could not be reached. Please try again.');
  } finally {
    busy(false);
  }
}

form.addEventListener('submit', submit);
