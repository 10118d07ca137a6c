package dev.tarjama.models.serve;

/**
 * What a running server has done so far.
 *
 * @param completionRequests completion requests that reached the model's queue (valid ones, not
 *     refused for a full queue)
 * @param translateCalls {@link dev.tarjama.models.local.Translator#translate} calls made:
 *     fewer than the requests when micro-batching merged some
 * @param sourcesTranslated texts sent to the model over all calls
 * @param largestBatch the most texts one translate call carried
 * @param queuedTexts texts waiting for the model now
 * @param cancelledTexts texts dropped before the model ran them: their request timed out, or
 *     another batch of the same request failed
 * @param refusedRequests requests answered 429 because the queue had no room for their texts
 */
public record ServerStats(
    long completionRequests,
    long translateCalls,
    long sourcesTranslated,
    int largestBatch,
    int queuedTexts,
    long cancelledTexts,
    long refusedRequests) {}
