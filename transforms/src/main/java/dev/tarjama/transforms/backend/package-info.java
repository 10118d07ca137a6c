/**
 * Calling a translation or judge backend from Beam, whatever is asked of it: the backend as the
 * command line gives it ({@link dev.tarjama.transforms.backend.BackendSpec}, read by {@code
 * BackendSpecParser}; a local model's {@link dev.tarjama.transforms.backend.LocalModelConfig}, a
 * batch backend's {@link dev.tarjama.transforms.backend.BatchSettings}); the per-call core every
 * calling DoFn shares ({@link dev.tarjama.transforms.backend.BackendCalls}: shared client, calls
 * in flight ({@link dev.tarjama.transforms.backend.PendingCalls}), store on arrival, counters);
 * how calls are spread and cached ({@link dev.tarjama.transforms.backend.CallOptions}, {@link
 * dev.tarjama.transforms.backend.SpreadOverBuckets}); the cache keys and entries ({@link
 * dev.tarjama.transforms.backend.BackendCaching}), the lookup before the calls ({@link
 * dev.tarjama.transforms.backend.CacheLookup}) and identical requests in flight shared ({@link
 * dev.tarjama.transforms.backend.InFlightRequests}); a completion's candidates ({@link
 * dev.tarjama.transforms.backend.CompletionCandidates}); and every backend metric's name ({@link
 * dev.tarjama.transforms.backend.BackendMetrics}). The stages that call backends ({@code
 * translate}, {@code judge}, {@code meaning}, {@code batch}) build on this package; it depends
 * on none of them.
 */
package dev.tarjama.transforms.backend;
