/**
 * Calling a translation or judge backend from Beam, whatever is asked of it. The one composite
 * that calls a backend is {@link dev.tarjama.transforms.backend.CallBackend} (spread, cache
 * lookup, bounded calls in flight, spending limit, store on arrival, metrics, tagged failures),
 * told what to ask and what the answer becomes by a {@link
 * dev.tarjama.transforms.backend.BackendCall} (translation: {@code translate.ChunkCall}; the
 * judge: {@code judge.PairJudgement}). Around it: the backend as the command line gives it
 * ({@link dev.tarjama.transforms.backend.BackendSpec}, read by {@code BackendSpecParser}; a local
 * model's {@link dev.tarjama.transforms.backend.LocalModelConfig}, a batch backend's {@link
 * dev.tarjama.transforms.backend.BatchSettings}); the calling DoFn's per-call core ({@link
 * dev.tarjama.transforms.backend.BackendCalls}: shared client, calls in flight ({@link
 * dev.tarjama.transforms.backend.PendingCalls}), counters); how calls are spread and cached
 * ({@link dev.tarjama.transforms.backend.CallOptions}, {@link
 * dev.tarjama.transforms.backend.SpreadOverBuckets}); the cache keys and entries ({@link
 * dev.tarjama.transforms.backend.BackendCaching}), the lookup ({@link
 * dev.tarjama.transforms.backend.CacheLookup} of {@link
 * dev.tarjama.transforms.backend.CachedAnswers}; a translation backend's, local ones included:
 * {@link dev.tarjama.transforms.backend.ChunkAnswers}) and identical requests in flight shared
 * ({@link dev.tarjama.transforms.backend.SharedCalls} over {@link
 * dev.tarjama.transforms.backend.InFlightRequests}); a completion's candidates ({@link
 * dev.tarjama.transforms.backend.CompletionCandidates}); and every backend metric's name ({@link
 * dev.tarjama.transforms.backend.BackendMetrics}). The stages that call backends ({@code
 * translate}, {@code judge}, {@code meaning}, {@code batch}) build on this package; it depends
 * on none of them.
 */
package dev.tarjama.transforms.backend;
