// Submit-and-act over HTTP: each connection submits a birth registration as a citizen, then the
// desk officer receives it and forwards it to appraisal (three writes), again and again.
'use strict';
const autocannon = require('autocannon');
const { randomUUID } = require('crypto');
const fs = require('fs');
const [url, citizen, desk, seconds] = process.argv.slice(2);
const submission = fs.readFileSync(process.env.SUBMISSION, 'utf8');
const post = (token, body) => ({
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body,
});
const act = (action) => ({
  ...post(desk, JSON.stringify({ action })),
  setupRequest: (req, context) => ({
    ...req,
    path: `/api/v1/dossiers/${context.code}/actions`,
    headers: { ...req.headers, 'idempotency-key': randomUUID() },
  }),
});
const instance = autocannon({
  url,
  connections: 64,
  duration: Number(seconds || 10),
  requests: [
    {
      ...post(citizen, submission),
      path: '/api/v1/dossiers',
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() } }),
      onResponse: (status, body, context) => {
        if (status === 201) context.code = JSON.parse(body).code;
      },
    },
    act('receive'),
    act('chuyen_tham_dinh'),
  ],
}, (error, result) => {
  if (error) { console.error(error); process.exit(1); }
  const codes = Object.fromEntries(Object.entries(result).filter(([k]) => /^[0-9]xx$/.test(k)));
  console.log(JSON.stringify({
    requests_per_s: result.requests.average,
    p50_ms: result.latency.p50, p99_ms: result.latency.p99,
    total: result.requests.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, ...codes,
  }));
});
