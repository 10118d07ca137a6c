package dev.tarjama.models.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime sessions of an optimum seq2seq export, with their input/output names checked:
 * {@code encoder_model.onnx}, {@code decoder_model.onnx} and, when present (and wanted), {@code
 * decoder_with_past_model.onnx}. Sessions are thread-safe; this object is immutable once built.
 */
final class MarianExport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MarianExport.class);

  static final String ENCODER = "encoder_model.onnx";
  static final String DECODER = "decoder_model.onnx";
  static final String DECODER_WITH_PAST = "decoder_with_past_model.onnx";
  static final String PAST = "past_key_values.";
  static final String PRESENT = "present.";

  final OrtEnvironment env;
  final OrtSession encoder;
  final OrtSession decoder;
  /** Null when the export has none or the configuration turns the cache off. */
  final OrtSession decoderWithPast;

  final Set<String> encoderInputs;
  final Set<String> decoderInputs;
  final Set<String> withPastInputs;
  /** Cache entries ("0.decoder.key", …): decoder_model outputs present.X, with-past reads past_key_values.X. */
  final List<String> cacheEntries;
  /** The provider that actually runs, e.g. "CPU" or "CUDA:0". */
  final String provider;
  /** Why the requested provider is not the one that runs; empty when it is. */
  final String providerNote;

  private MarianExport(
      OrtEnvironment env,
      OrtSession encoder,
      OrtSession decoder,
      OrtSession decoderWithPast,
      List<String> cacheEntries,
      String provider,
      String providerNote) {
    this.env = env;
    this.encoder = encoder;
    this.decoder = decoder;
    this.decoderWithPast = decoderWithPast;
    this.encoderInputs = encoder.getInputNames();
    this.decoderInputs = decoder.getInputNames();
    this.withPastInputs = decoderWithPast == null ? Set.of() : decoderWithPast.getInputNames();
    this.cacheEntries = cacheEntries;
    this.provider = provider;
    this.providerNote = providerNote;
  }

  static MarianExport load(MarianModelConfig config) {
    Path dir = config.path();
    Path encoderFile = dir.resolve(ENCODER);
    Path decoderFile = dir.resolve(DECODER);
    Path withPastFile = dir.resolve(DECODER_WITH_PAST);
    for (Path required : List.of(encoderFile, decoderFile)) {
      if (!Files.isRegularFile(required)) {
        throw new ModelLoadException(required, "model file not found");
      }
    }
    boolean withPast = config.useKvCache() && Files.isRegularFile(withPastFile);
    OrtEnvironment env = OrtEnvironment.getEnvironment();

    Path past = withPast ? withPastFile : null;
    OnnxSessions.Opened<List<OrtSession>> opened = OnnxSessions.open(
        config.modelDir().toString(), config.provider() == ExecutionProvider.CUDA,
        config.cudaDeviceId(), config.intraOpThreads(), encoderFile,
        options -> open(env, options, encoderFile, decoderFile, past));
    List<OrtSession> sessions = opened.sessions();
    String provider = opened.provider();
    String note = opened.note();
    try {
      OrtSession encoder = sessions.get(0);
      OrtSession decoder = sessions.get(1);
      OrtSession pastSession = sessions.size() > 2 ? sessions.get(2) : null;
      expect(encoderFile, encoder, List.of("input_ids"), List.of("last_hidden_state"));
      expect(decoderFile, decoder, List.of("input_ids", "encoder_hidden_states"), List.of("logits"));
      List<String> entries = new ArrayList<>();
      if (pastSession != null) {
        expect(withPastFile, pastSession, List.of("input_ids"), List.of("logits"));
        for (String input : new TreeSet<>(pastSession.getInputNames())) {
          if (input.startsWith(PAST)) {
            entries.add(input.substring(PAST.length()));
          }
        }
        List<String> expectedPresent = entries.stream().map(e -> PRESENT + e).toList();
        if (entries.isEmpty()) {
          throw new ModelLoadException(
              withPastFile,
              "input names do not match: expected past_key_values.* inputs, found "
                  + new TreeSet<>(pastSession.getInputNames()));
        }
        if (!decoder.getOutputNames().containsAll(expectedPresent)) {
          throw new ModelLoadException(
              decoderFile,
              "output names do not match " + DECODER_WITH_PAST + ": expected outputs "
                  + expectedPresent + ", found " + new TreeSet<>(decoder.getOutputNames()));
        }
      }
      return new MarianExport(
          env, encoder, decoder, pastSession, List.copyOf(entries), provider, note);
    } catch (RuntimeException e) {
      for (OrtSession s : sessions) {
        closeQuietly(s);
      }
      throw e;
    }
  }

  private static List<OrtSession> open(
      OrtEnvironment env, OrtSession.SessionOptions options, Path... files) {
    List<OrtSession> sessions = new ArrayList<>();
    try {
      for (Path file : files) {
        if (file != null) {
          sessions.add(OnnxSessions.session(env, options, file));
        }
      }
      return sessions;
    } catch (RuntimeException e) {
      sessions.forEach(MarianExport::closeQuietly);
      throw e;
    }
  }

  private static void expect(Path file, OrtSession session, List<String> inputs, List<String> outputs) {
    Set<String> foundIn = session.getInputNames();
    Set<String> foundOut = session.getOutputNames();
    if (!foundIn.containsAll(inputs) || !foundOut.containsAll(outputs)) {
      throw new ModelLoadException(
          file,
          "input/output names do not match: expected inputs " + inputs + " and outputs " + outputs
              + ", found inputs " + new TreeSet<>(foundIn) + " and outputs "
              + new TreeSet<>(foundOut));
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing an ONNX Runtime session failed", e);
    }
  }

  @Override
  public void close() {
    closeQuietly(encoder);
    closeQuietly(decoder);
    if (decoderWithPast != null) {
      closeQuietly(decoderWithPast);
    }
  }
}
