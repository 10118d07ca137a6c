package dev.tarjama.models.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A local encoder–decoder translator run in-process by ONNX Runtime, on a Marian-layout export as
 * Hugging Face optimum writes it (Opus-MT, NLLB, a fine-tuned model exported with {@code optimum-cli
 * export onnx --task text2text-generation-with-past}):
 *
 * <ul>
 *   <li>{@code encoder_model.onnx}: {@code input_ids}, {@code attention_mask} → {@code
 *       last_hidden_state};
 *   <li>{@code decoder_model.onnx}: {@code input_ids}, {@code encoder_hidden_states}, {@code
 *       encoder_attention_mask} → {@code logits}, {@code present.*};
 *   <li>{@code decoder_with_past_model.onnx} (optional: the KV cache): {@code input_ids}, {@code
 *       past_key_values.*} → {@code logits}, {@code present.*}; each session is fed only the inputs
 *       it declares;
 *   <li>{@code config.json} / {@code generation_config.json}: pad, eos, decoder start, {@code
 *       max_length}, {@code bad_words_ids}, {@code forced_bos_token_id};
 *   <li>the tokenizer: Opus-MT's {@code source.spm} + {@code target.spm} + {@code vocab.json}, or a
 *       Hugging Face {@code tokenizer.json}.
 * </ul>
 *
 * <p>A batch of sources runs through the encoder once, padded, with an attention mask; then the
 * decoder generates, per {@link Decoding}: greedy, beam search (width configurable, length penalty
 * 1.0, the best {@code candidates} finished beams) or temperature/top-p sampling ({@code
 * candidates} independent samples per source, reproducible: the random stream of a sample depends
 * only on the seed, the source text and the candidate index, not on the batch). Each sequence stops
 * at {@code </s>} or at its length limit: {@code maxLengthRatio} × source tokens + {@code
 * maxLengthSlack}, capped by {@code Decoding.maxLength} and the export's {@code max_length}.
 * {@code <pad>} (Marian's decoder start) is never generated. With the KV cache, a step feeds one
 * token per row; without, {@code decoder_model.onnx} re-runs on the whole prefix (same output).
 *
 * <p>Thread-safe: ONNX Runtime sessions and the native tokenizers may be used by many threads, and
 * all decoding state lives in the call. Load through {@link MarianTranslators#acquire}, which
 * shares one instance (one set of sessions) per configuration per JVM; {@link #load} makes a
 * private instance (benchmarks, tools).
 *
 * <p>Execution providers: CPU by default. {@link MarianModelConfig#withCuda} asks for the CUDA
 * provider, which only the {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact carries (build
 * GPU workers with {@code mvn -Pgpu}; CUDA 12 and cuDNN 9 must be installed there). Where the
 * provider cannot be added (the CPU jar, no driver), loading falls back to CPU, logs a warning and
 * {@link #describe()} says so.
 *
 * <p>Failures: {@link ModelLoadException} naming the file when a model file is missing or corrupt
 * or its input/output names are not the expected ones; {@link IllegalStateException} when ONNX
 * Runtime fails during a call.
 */
public final class MarianTranslator implements Translator {
  /** transformers' default: a hypothesis's score is its log-probability divided by its length. */
  public static final double LENGTH_PENALTY = 1.0;

  private final MarianModelConfig config;
  private final MarianExport export;
  private final Seq2SeqTokenizer tokenizer;
  private final GenerationSettings settings;
  private final NextTokenScores scores;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MarianTranslator(
      MarianModelConfig config,
      MarianExport export,
      Seq2SeqTokenizer tokenizer,
      GenerationSettings settings,
      int forcedBos) {
    this.config = config;
    this.export = export;
    this.tokenizer = tokenizer;
    this.settings = settings;
    List<Integer> banned = new ArrayList<>();
    List<int[]> sequences = new ArrayList<>();
    // Marian starts decoding from <pad> and never generates it (transformers masks it too).
    if (settings.padId() != settings.eosId()) {
      banned.add(settings.padId());
    }
    for (int[] bad : settings.badWords()) {
      if (bad.length == 1) {
        banned.add(bad[0]);
      } else if (bad.length > 1) {
        sequences.add(bad);
      }
    }
    this.scores = new NextTokenScores(
        banned.stream().mapToInt(Integer::intValue).distinct().toArray(), sequences, forcedBos);
  }

  /**
   * Loads the export {@code config} names into new ONNX Runtime sessions owned by the returned
   * instance. Prefer {@link MarianTranslators#acquire}, which shares them.
   *
   * @throws ModelLoadException naming the file that is missing, corrupt or does not match
   */
  public static MarianTranslator load(MarianModelConfig config) {
    GenerationSettings settings = GenerationSettings.load(config.path());
    Seq2SeqTokenizer tokenizer = Seq2SeqTokenizer.load(config.path(), settings);
    try {
      int forced = settings.forcedBos();
      if (!config.forcedBosToken().isEmpty()) {
        OptionalInt id = tokenizer.tokenId(config.forcedBosToken());
        if (id.isEmpty()) {
          throw new IllegalArgumentException(
              "forced first token " + config.forcedBosToken() + " is not in the vocabulary of "
                  + config.modelDir());
        }
        forced = id.getAsInt();
      }
      MarianExport export = MarianExport.load(config);
      return new MarianTranslator(config, export, tokenizer, settings, forced);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  public MarianModelConfig config() {
    return config;
  }

  /** The execution provider that runs the sessions: "CPU" or "CUDA:n". */
  public String executionProvider() {
    return export.provider;
  }

  /** Whether decoding uses decoder_with_past_model.onnx (the KV cache). */
  public boolean usesKvCache() {
    return export.decoderWithPast != null;
  }

  public int eosId() {
    return settings.eosId();
  }

  @Override
  public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
    List<List<Hypothesis>> generated = generate(sources, decoding);
    List<List<Translation>> out = new ArrayList<>(generated.size());
    for (List<Hypothesis> hypotheses : generated) {
      List<Translation> translations = new ArrayList<>(hypotheses.size());
      for (Hypothesis h : hypotheses) {
        // Without a final </s> the model did not end the sentence: it ran into its length limit.
        boolean cut = h.ids().length == 0 || h.ids()[h.ids().length - 1] != eosId();
        translations.add(
            new Translation(h.text(), h.sourceTokens(), h.targetTokens(eosId()), cut));
      }
      out.add(translations);
    }
    return out;
  }

  /**
   * As {@link #translate}, with the generated ids and model scores: one list per source, each
   * with {@code decoding.candidates()} hypotheses (beam search: best first).
   */
  public List<List<Hypothesis>> generate(List<String> sources, Decoding decoding) {
    if (closed.get()) {
      throw new IllegalStateException("translator for " + config.modelDir() + " is closed");
    }
    if (sources.isEmpty()) {
      return List.of();
    }
    int n = sources.size();
    long[][] encoded = new long[n][];
    int sourceLength = 0;
    for (int i = 0; i < n; i++) {
      encoded[i] = tokenizer.encodeSource(config.sourcePrefix() + sources.get(i));
      sourceLength = Math.max(sourceLength, encoded[i].length);
    }
    long[] ids = new long[n * sourceLength];
    long[] mask = new long[n * sourceLength];
    Arrays.fill(ids, settings.padId());
    int[] limits = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(encoded[i], 0, ids, i * sourceLength, encoded[i].length);
      Arrays.fill(mask, i * sourceLength, i * sourceLength + encoded[i].length, 1L);
      limits[i] = lengthLimit(encoded[i].length, decoding);
    }
    try {
      List<List<Hypothesis>> out;
      try (DecoderRun run = encode(ids, mask, n, sourceLength, decoding)) {
        out =
            decoding.strategy() == Decoding.Strategy.BEAM
                ? beamSearch(run, n, limits, decoding)
                : sampleOrGreedy(run, sources, limits, decoding);
      }
      List<List<Hypothesis>> result = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        List<Hypothesis> withText = new ArrayList<>();
        for (Hypothesis h : out.get(i)) {
          withText.add(
              new Hypothesis(
                  h.ids(), tokenizer.decodeTarget(h.ids()), encoded[i].length, h.logProb(),
                  h.score()));
        }
        result.add(withText);
      }
      return result;
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed on " + config.modelDir() + ": " + e.getMessage(), e);
    }
  }

  /** Generated tokens allowed for a source of {@code sourceTokens} encoder tokens, {@code </s>} included. */
  int lengthLimit(int sourceTokens, Decoding decoding) {
    long relative =
        (long) Math.ceil(decoding.maxLengthRatio() * sourceTokens) + decoding.maxLengthSlack();
    long limit = Math.min(relative, decoding.maxLength());
    if (settings.maxLength() != Integer.MAX_VALUE) {
      limit = Math.min(limit, settings.maxLength() - 1L); // max_length counts the start token
    }
    return (int) Math.max(1, limit);
  }

  private DecoderRun encode(long[] ids, long[] mask, int n, int sourceLength, Decoding decoding)
      throws OrtException {
    int perSource =
        switch (decoding.strategy()) {
          case GREEDY -> 1;
          case SAMPLE -> decoding.candidates();
          case BEAM -> decoding.beamWidth();
        };
    int[] rowSource = new int[n * perSource];
    for (int r = 0; r < rowSource.length; r++) {
      rowSource[r] = r / perSource;
    }
    long[] shape = {n, sourceLength};
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(export.env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(export.env, LongBuffer.wrap(mask), shape)) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put("input_ids", idsTensor);
      if (export.encoderInputs.contains("attention_mask")) {
        feed.put("attention_mask", maskTensor);
      }
      try (OrtSession.Result result = export.encoder.run(feed)) {
        OnnxTensor hidden = (OnnxTensor) result.get("last_hidden_state").orElseThrow();
        return new DecoderRun(export, hidden, mask, sourceLength, rowSource);
      }
    }
  }

  /** One growing sequence of greedy decoding or sampling. */
  private static final class Row {
    final int source;
    final SplittableRandom random;
    int[] ids = new int[8];
    int length;
    double logProb;
    boolean done;

    Row(int source, SplittableRandom random) {
      this.source = source;
      this.random = random;
    }

    void add(int token, double tokenLogProb) {
      if (length == ids.length) {
        ids = Arrays.copyOf(ids, length * 2);
      }
      ids[length++] = token;
      logProb += tokenLogProb;
    }
  }

  private List<List<Hypothesis>> sampleOrGreedy(
      DecoderRun run, List<String> sources, int[] limits, Decoding decoding) throws OrtException {
    boolean greedy =
        decoding.strategy() == Decoding.Strategy.GREEDY || decoding.temperature() <= 0;
    int perSource = decoding.strategy() == Decoding.Strategy.GREEDY ? 1 : decoding.candidates();
    List<Row> rows = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      for (int c = 0; c < perSource; c++) {
        rows.add(new Row(s, greedy ? null : new SplittableRandom(sampleSeed(decoding.seed(), sources.get(s), c))));
      }
    }
    List<Row> inRun = new ArrayList<>(rows); // the rows of the run, in its order
    float[][] logits = run.start(settings.decoderStartId());
    for (int step = 0; ; step++) {
      int running = 0;
      for (int r = 0; r < inRun.size(); r++) {
        Row row = inRun.get(r);
        if (row.done) {
          continue;
        }
        float[] lp = scores.logProbabilities(logits[r], row.ids, row.length, step);
        int token =
            greedy
                ? NextTokenScores.argmax(lp)
                : NextTokenScores.sample(
                    logits[r], lp, decoding.temperature(), decoding.topP(), row.random);
        row.add(token, lp[token]);
        row.done = token == settings.eosId() || row.length >= limits[row.source];
        if (!row.done) {
          running++;
        }
      }
      if (running == 0) {
        break;
      }
      // Drop finished rows once they are a quarter of the run: their steps are wasted work, and
      // a gather copies the whole cache.
      if ((inRun.size() - running) * 4 >= inRun.size()) {
        int[] keep = new int[running];
        List<Row> kept = new ArrayList<>(running);
        for (int r = 0, k = 0; r < inRun.size(); r++) {
          if (!inRun.get(r).done) {
            keep[k++] = r;
            kept.add(inRun.get(r));
          }
        }
        run.select(keep);
        inRun = kept;
      }
      long[] next = new long[inRun.size()];
      for (int r = 0; r < next.length; r++) {
        Row row = inRun.get(r);
        next[r] = row.done ? settings.eosId() : row.ids[row.length - 1];
      }
      logits = run.next(next);
    }
    List<List<Hypothesis>> out = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      out.add(new ArrayList<>(perSource));
    }
    for (Row row : rows) {
      int[] ids = Arrays.copyOf(row.ids, row.length);
      out.get(row.source).add(hypothesis(ids, row.logProb));
    }
    return out;
  }

  private static Hypothesis hypothesis(int[] ids, double logProb) {
    return new Hypothesis(ids, "", 0, logProb, logProb / Math.pow(Math.max(1, ids.length), LENGTH_PENALTY));
  }

  /** The random stream of candidate {@code candidate} of {@code source}: independent of batching. */
  static long sampleSeed(long seed, String source, int candidate) {
    long h = seed * 0x9E3779B97F4A7C15L + source.hashCode();
    return h * 0x9E3779B97F4A7C15L + candidate;
  }

  /** A beam: its tokens, summed log-probability, and which run row it continues. */
  private record Beam(int[] ids, double logProb, int row) {}

  /** The beam search of one source. */
  private static final class BeamSource {
    List<Beam> beams = new ArrayList<>();
    final List<Hypothesis> finished = new ArrayList<>();
    boolean done;

    void addFinished(Hypothesis h, int width) {
      finished.add(h);
      finished.sort((a, b) -> Double.compare(b.score(), a.score()));
      if (finished.size() > width) {
        finished.remove(finished.size() - 1);
      }
    }
  }

  private List<List<Hypothesis>> beamSearch(
      DecoderRun run, int n, int[] limits, Decoding decoding) throws OrtException {
    int width = decoding.beamWidth();
    List<BeamSource> searches = new ArrayList<>(n);
    List<BeamSource> inRun = new ArrayList<>(n); // sources of the run, width rows each
    for (int s = 0; s < n; s++) {
      BeamSource search = new BeamSource();
      // Every source starts with one live beam: the others are copies of it and would only
      // produce duplicates.
      search.beams.add(new Beam(new int[0], 0.0, s * width));
      searches.add(search);
      inRun.add(search);
    }
    int[] sourceOf = new int[n];
    float[][] logits = run.start(settings.decoderStartId());
    for (int step = 0; ; step++) {
      int length = step + 1; // generated tokens after this step
      for (int p = 0; p < inRun.size(); p++) {
        BeamSource search = inRun.get(p);
        int source = searches.indexOf(search);
        sourceOf[p] = source;
        // The best 2 × width continuations over all beams (so that width survive the EOS ones).
        int keep = 2 * width;
        double[] topScore = new double[keep];
        int[] topBeam = new int[keep];
        int[] topToken = new int[keep];
        Arrays.fill(topScore, Double.NEGATIVE_INFINITY);
        Arrays.fill(topBeam, -1);
        for (int b = 0; b < search.beams.size(); b++) {
          Beam beam = search.beams.get(b);
          float[] lp = scores.logProbabilities(logits[beam.row()], beam.ids(), beam.ids().length, step);
          for (int v = 0; v < lp.length; v++) {
            double total = beam.logProb() + lp[v];
            if (total > topScore[keep - 1]) {
              int at = keep - 1;
              while (at > 0 && total > topScore[at - 1]) {
                topScore[at] = topScore[at - 1];
                topBeam[at] = topBeam[at - 1];
                topToken[at] = topToken[at - 1];
                at--;
              }
              topScore[at] = total;
              topBeam[at] = b;
              topToken[at] = v;
            }
          }
        }
        List<Beam> next = new ArrayList<>(width);
        for (int rank = 0; rank < keep && next.size() < width; rank++) {
          if (topBeam[rank] < 0 || topScore[rank] == Double.NEGATIVE_INFINITY) {
            break;
          }
          Beam beam = search.beams.get(topBeam[rank]);
          int[] ids = Arrays.copyOf(beam.ids(), beam.ids().length + 1);
          ids[ids.length - 1] = topToken[rank];
          if (topToken[rank] == settings.eosId()) {
            // As transformers: an EOS outside the first width candidates does not finish a beam.
            if (rank < width) {
              search.addFinished(hypothesis(ids, topScore[rank]), width);
            }
          } else {
            next.add(new Beam(ids, topScore[rank], beam.row()));
          }
        }
        search.beams = next;
        if (length >= limits[source] || next.isEmpty()) {
          for (Beam beam : next) {
            search.addFinished(hypothesis(beam.ids(), beam.logProb()), width);
          }
          search.done = true;
        } else if (search.finished.size() >= width) {
          double bestRunning = next.get(0).logProb() / Math.pow(length, LENGTH_PENALTY);
          search.done =
              search.finished.get(search.finished.size() - 1).score() >= bestRunning;
        }
      }
      List<BeamSource> still = new ArrayList<>();
      List<Integer> rows = new ArrayList<>();
      List<Long> tokens = new ArrayList<>();
      for (BeamSource search : inRun) {
        if (search.done) {
          continue;
        }
        still.add(search);
        List<Beam> renumbered = new ArrayList<>();
        for (Beam beam : search.beams) {
          renumbered.add(new Beam(beam.ids(), beam.logProb(), rows.size()));
          rows.add(beam.row());
          tokens.add((long) beam.ids()[beam.ids().length - 1]);
        }
        search.beams = renumbered;
      }
      if (still.isEmpty()) {
        break;
      }
      inRun = still;
      run.select(rows.stream().mapToInt(Integer::intValue).toArray());
      logits = run.next(tokens.stream().mapToLong(Long::longValue).toArray());
    }
    List<List<Hypothesis>> out = new ArrayList<>(n);
    for (BeamSource search : searches) {
      out.add(List.copyOf(search.finished.subList(0, Math.min(decoding.candidates(), search.finished.size()))));
    }
    return out;
  }

  @Override
  public int countSourceTokens(String text) {
    return tokenizer.encodeSource(config.sourcePrefix() + text).length;
  }

  @Override
  public String describe() {
    StringBuilder s = new StringBuilder("ONNX Runtime seq2seq ")
        .append(config.modelDir())
        .append(" (")
        .append(usesKvCache() ? "KV cache" : "no KV cache")
        .append(", ")
        .append(tokenizer.describe())
        .append(") on ")
        .append(export.provider);
    if (!export.providerNote.isEmpty()) {
      s.append(" [").append(export.providerNote).append(']');
    }
    return s.toString();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      export.close();
      tokenizer.close();
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
