// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { SignIn } from './pages/SignIn';
import { SliceMap } from './components/SliceMap';
import { applySliceMoved, emptySliceMap } from './slicemap';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('SignIn', () => {
  it('keeps a key the server accepts in sessionStorage and sends it as a Bearer token', async () => {
    const fetch = vi.fn(async () => new Response('[]', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const done = vi.fn();
    render(<SignIn onSignedIn={done} />);
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'sk-good' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(sessionStorage.getItem('slicefine.api_key')).toBe('sk-good');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer sk-good');
  });

  it('refuses a key the server answers 401 for and keeps nothing', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"code":"unauthorized"}', { status: 401 })));
    render(<SignIn onSignedIn={() => {}} />);
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'sk-bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'That key is not valid (or was revoked).');
    expect(sessionStorage.getItem('slicefine.api_key')).toBeNull();
  });
});

describe('SliceMap', () => {
  it('shows one strip per target layer with the visited count', () => {
    const s = emptySliceMap();
    applySliceMoved(s, {
      type: 'slice_moved',
      data: { move: 1, step: 2, rank: 2, layers: [
        { layer: 'l0.query.weight', mode: 'column', from: 0, to: 2, rank: 2, dim: 16, delta_norm: 1 },
        { layer: 'l0.value.weight', mode: 'column', from: 0, to: 2, rank: 2, dim: 16, delta_norm: 2 },
      ] },
    });
    render(<SliceMap state={s} version={1} />);
    expect(screen.getByLabelText('l0.query.weight: 2 of 16 columns visited')).toBeTruthy();
    expect(screen.getByLabelText('l0.value.weight: 2 of 16 columns visited')).toBeTruthy();
  });
});
