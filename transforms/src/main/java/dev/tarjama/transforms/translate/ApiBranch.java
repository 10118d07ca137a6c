package dev.tarjama.transforms.translate;

import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.Serializable;

/**
 * What an API backend's branch of {@link TranslateChunks} calls with: the backend, the cache
 * ({@code none}: no cache), the spending limit, and whether identical requests in flight share
 * one call ({@link dev.tarjama.transforms.backend.SharedCalls}; only with a cache). Its first
 * pass and its {@link TruncationRetry} use the same.
 */
record ApiBranch(BackendSpec backend, String cacheUri, SpendingLimit spendingLimit, boolean share)
    implements Serializable {}
