import { useState } from 'react';
import { del, post } from '../api';
import { ErrorBox, useApi, when } from '../components/common';

interface Tenant {
  id: string;
  name: string;
  created_at: string;
}
interface Key {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  admin: boolean;
  created_at: string;
  revoked_at?: string | null;
  last_used_at?: string | null;
}

export function Admin() {
  const tenants = useApi<Tenant[] | { items: Tenant[] }>('/v1/tenants');
  const keys = useApi<Key[] | { items: Key[] }>('/v1/keys');
  const [tenantName, setTenantName] = useState('');
  const [key, setKey] = useState({ name: '', tenant_id: '', admin: false });
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const tenantList = tenants.data ? (Array.isArray(tenants.data) ? tenants.data : tenants.data.items) : [];
  const keyList = keys.data ? (Array.isArray(keys.data) ? keys.data : keys.data.items) : [];
  const act = (f: () => Promise<unknown>) => () => {
    setError(null);
    f().catch(setError);
  };

  return (
    <section>
      <h1>Admin</h1>
      <ErrorBox error={error} />
      <h2>Tenants</h2>
      {tenants.error ? <p className="muted">Tenants need an admin key.</p> : null}
      <form
        className="card inline"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            await post('/v1/tenants', { name: tenantName });
            setTenantName('');
            tenants.reload();
          })();
        }}
      >
        <label>
          Name <input value={tenantName} onChange={(e) => setTenantName(e.target.value)} pattern="[A-Za-z0-9][A-Za-z0-9._-]*" />
        </label>
        <button type="submit" disabled={!tenantName}>
          Create tenant
        </button>
      </form>
      <ul>
        {tenantList.map((t) => (
          <li key={t.id}>
            <b>{t.name}</b> <code>{t.id}</code> <span className="muted">{when(t.created_at)}</span>
          </li>
        ))}
      </ul>
      <h2>API keys</h2>
      <form
        className="card inline"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            const body: Record<string, unknown> = { name: key.name };
            if (key.tenant_id) body.tenant_id = key.tenant_id;
            if (key.admin) body.admin = true;
            const created = await post<{ key: string }>('/v1/keys', body);
            setSecret(created.key);
            setKey({ name: '', tenant_id: '', admin: false });
            keys.reload();
          })();
        }}
      >
        <label>
          Name <input value={key.name} onChange={(e) => setKey({ ...key, name: e.target.value })} />
        </label>
        <label>
          Tenant
          <select value={key.tenant_id} onChange={(e) => setKey({ ...key, tenant_id: e.target.value })}>
            <option value="">mine</option>
            {tenantList.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={key.admin} onChange={(e) => setKey({ ...key, admin: e.target.checked })} /> admin
        </label>
        <button type="submit" disabled={!key.name}>
          Create key
        </button>
      </form>
      {secret && (
        <div className="card secret" role="status">
          <p>
            The new key, shown <b>only now</b>:
          </p>
          <code data-testid="new-secret">{secret}</code>
          <button onClick={() => navigator.clipboard?.writeText(secret)}>Copy</button>
          <button onClick={() => setSecret(null)}>Done</button>
        </div>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Tenant</th>
              <th>Admin</th>
              <th>Created</th>
              <th>Revoked</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keyList.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}</code>
                </td>
                <td>{tenantList.find((t) => t.id === k.tenant_id)?.name ?? k.tenant_id.slice(0, 8)}</td>
                <td>{k.admin ? 'yes' : ''}</td>
                <td>{when(k.created_at)}</td>
                <td>{when(k.revoked_at)}</td>
                <td>
                  {!k.revoked_at && (
                    <button
                      className="danger"
                      onClick={act(async () => {
                        if (!confirm(`Revoke key ${k.name}?`)) return;
                        await del(`/v1/keys/${k.id}`);
                        keys.reload();
                      })}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
