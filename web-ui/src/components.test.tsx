// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { UploadCard } from './components/UploadCard';
import { PagedTable, usePagedList } from './components/PagedTable';
import { ConfusionMatrix, MetricsView } from './components/Evaluation';
import { TryIt } from './components/TryIt';
import { EstimateCard } from './components/Estimate';
import { ApiError } from './api';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  history.replaceState(null, '', '/');
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('UploadCard', () => {
  it('hands the chosen files and the filled fields to upload and clears the form after it', async () => {
    const upload = vi.fn(async (_f: File[], _v: Record<string, string>, progress: (s: number, t: number) => void) => progress(3, 3));
    render(<UploadCard title="upload a thing" fields={[{ name: 'name', label: 'Name' }, { name: 'label_field', label: 'Label field' }]} fileLabel="File" fileTestId="f" submitLabel="Upload" upload={upload} />);
    const button = screen.getByRole('button', { name: 'Upload' });
    expect(button).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'mine' } });
    const file = new File(['abc'], 'a.jsonl');
    fireEvent.change(screen.getByTestId('f'), { target: { files: [file] } });
    fireEvent.click(button);
    await waitFor(() => expect(upload).toHaveBeenCalledTimes(1));
    expect(upload.mock.calls[0][0]).toEqual([file]);
    expect(upload.mock.calls[0][1]).toEqual({ name: 'mine' });
    await waitFor(() => expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe(''));
  });

  it('shows the server problem and keeps the form', async () => {
    render(<UploadCard title="u" fileLabel="File" fileTestId="f" submitLabel="Upload" upload={async () => Promise.reject(new ApiError(413, 'too_large', 'the file is too large'))} />);
    fireEvent.change(screen.getByTestId('f'), { target: { files: [new File(['x'], 'x.bin')] } });
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    expect((await screen.findByRole('alert')).textContent).toBe('too_large: the file is too large');
  });
});

function Things() {
  const list = usePagedList<{ id: string; name: string }>('/v1/things?limit=2');
  return <PagedTable list={list} rowTestId="thing" columns={[{ header: 'Name', cell: (t) => t.name }]} />;
}

describe('PagedTable', () => {
  it('pages with the cursor in the URL, so a refresh shows the same page', async () => {
    const fetch = vi.fn(async (url: string) =>
      url.includes('cursor=c2') ? json({ items: [{ id: '3', name: 'three' }], next_cursor: null }) : json({ items: [{ id: '1', name: 'one' }, { id: '2', name: 'two' }], next_cursor: 'c2' }),
    );
    vi.stubGlobal('fetch', fetch);
    render(<Things />);
    expect((await screen.findAllByTestId('thing')).map((r) => r.textContent)).toEqual(['one', 'two']);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getAllByTestId('thing').map((r) => r.textContent)).toEqual(['three']));
    expect(location.search).toBe('?cursor=c2');
    expect(fetch.mock.calls.map((c) => c[0])).toEqual(['/v1/things?limit=2', '/v1/things?limit=2&cursor=c2']);
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);
  });
});

describe('evaluation', () => {
  it('draws the confusion matrix with gold rows and predicted columns, the diagonal marked', () => {
    render(<ConfusionMatrix labels={['neg', 'pos']} rows={[[8, 2], [1, 9]]} />);
    const table = screen.getByTestId('confusion-matrix');
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual(['gold \\ predictednegpos', 'neg82', 'pos19']);
    const cells = within(rows[1]).getAllByRole('cell');
    expect(cells[0].className).toBe('diag');
    expect(cells[1].className).toBe('off');
    expect(cells[1].getAttribute('title')).toBe('2 of 10 examples labelled neg were predicted pos');
  });

  it('shows accuracy and F1 for a classifier, loss and perplexity for a causal LM', () => {
    render(<MetricsView metrics={{ task: 'text-classification', accuracy: 0.85, macro_f1: 0.8, weighted_f1: 0.84, mean_loss: 0.4, examples: 20,
      per_label: [{ label: 'neg', precision: 0.9, recall: 0.8, f1: 0.847, support: 10 }], confusion_matrix: { labels: ['neg', 'pos'], rows: [[8, 2], [1, 9]] } }} />);
    expect(screen.getByTestId('evaluation-metrics').textContent).toContain('Accuracy0.8500');
    expect(screen.getByTestId('per-label').textContent).toContain('neg0.9000.8000.84710');
    cleanup();
    render(<MetricsView metrics={{ task: 'causal-lm', mean_loss: 2.5, perplexity: 12.18, exact_match: null, examples: 4 }} />);
    expect(screen.getByTestId('evaluation-metrics').textContent).toContain('Perplexity12.18');
    expect(screen.queryByTestId('confusion-matrix')).toBeNull();
  });
});

describe('TryIt', () => {
  it('classifies a text and shows every label’s probability, highest first', async () => {
    const fetch = vi.fn(async () => json({ task: 'text-classification', predictions: [{ label: 'pos', score: 0.7, probabilities: { neg: 0.3, pos: 0.7 } }] }));
    vi.stubGlobal('fetch', fetch);
    render(<TryIt jobId="j1" task="text-classification" />);
    fireEvent.change(screen.getByTestId('try-input'), { target: { value: 'good fun' } });
    fireEvent.click(screen.getByRole('button', { name: 'Classify' }));
    expect((await screen.findByTestId('try-label')).textContent).toBe('pos');
    expect(screen.getAllByRole('meter').map((m) => m.getAttribute('aria-label'))).toEqual(['probability of pos', 'probability of neg']);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/jobs/j1/predictions');
    expect(JSON.parse(String(init.body))).toEqual({ inputs: ['good fun'] });
  });

  it('classifies an image sent as a multipart part named images', async () => {
    const fetch = vi.fn(async () => json({ task: 'image-classification', predictions: [{ label: 'cat', score: 0.9, probabilities: { cat: 0.9, dog: 0.1 } }] }));
    vi.stubGlobal('fetch', fetch);
    render(<TryIt jobId="j3" task="image-classification" />);
    const button = screen.getByRole('button', { name: 'Classify' });
    expect(button).toHaveProperty('disabled', true);
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', { type: 'image/png' });
    fireEvent.change(screen.getByTestId('try-image'), { target: { files: [png] } });
    fireEvent.click(button);
    expect((await screen.findByTestId('try-label')).textContent).toBe('cat');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/jobs/j3/predictions');
    expect(init.method).toBe('POST');
    const form = init.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect((form.get('images') as File).name).toBe('cat.png');
    expect(new Headers(init.headers).has('Content-Type')).toBe(false);
  });

  it('completes a prompt for a causal LM', async () => {
    const fetch = vi.fn(async () => json({ task: 'causal-lm', completion: ' world', finish_reason: 'length', prompt_tokens: 1, tokens_per_second: 4 }));
    vi.stubGlobal('fetch', fetch);
    render(<TryIt jobId="j2" task="causal-lm" />);
    fireEvent.change(screen.getByTestId('try-input'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Complete' }));
    expect((await screen.findByTestId('try-completion')).textContent).toBe(' world');
    expect(JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body))).toEqual({ prompt: 'hello', max_new_tokens: 32, temperature: 0 });
  });
});

describe('EstimateCard', () => {
  it('shows trainable parameters with their share, the result size and every target layer', () => {
    render(<EstimateCard pending={false} estimate={{ task: 'text-classification', method: 'slicefine', trainable_params: 227, total_params: 20000, trainable_fraction: 0.01135,
      total_steps: 4, diff_bytes: 924, target_layers: [{ layer: 'q.weight', shape: [32, 32], mode: 'column', rank: 2, trainable: 64 }] }} />);
    expect(screen.getByTestId('estimate-trainable').textContent).toBe('227 (1.14 % of 20,000)');
    expect(screen.getByTestId('estimate-diff').textContent).toBe('924 B');
    expect(screen.getByText('q.weight')).toBeTruthy();
  });
});
