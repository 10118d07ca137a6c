package dev.tarjama.transforms.inference;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** A ModelHandler over {@link LetterMapTranslator}: a sentence in, its letter-mapped text out. */
final class LetterMapHandler extends ModelHandler<String, String, LetterMapTranslator> {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String poison;
  private final Batching batching;
  private final int wrongCountAbove;

  /**
   * @param name the model's name (its cache key and its records in {@link LetterMapTranslator})
   * @param wrongCountAbove when a batch is larger, the handler returns one output too few (a
   *     broken model); 0 for never
   */
  LetterMapHandler(String name, String poison, Batching batching, int wrongCountAbove) {
    this.name = name;
    this.poison = poison;
    this.batching = batching;
    this.wrongCountAbove = wrongCountAbove;
  }

  @Override
  public String modelKey() {
    return "letter-map:" + name;
  }

  @Override
  protected LetterMapTranslator loadModel() {
    return new LetterMapTranslator(name, poison);
  }

  @Override
  public long weigh(String sentence) {
    return LetterMapTranslator.words(sentence);
  }

  @Override
  public Batching batching() {
    return batching;
  }

  @Override
  public List<String> run(LetterMapTranslator model, List<String> batch) {
    List<String> out = new ArrayList<>();
    for (List<Translation> t : model.translate(batch, Decoding.greedy())) {
      out.add(t.get(0).text());
    }
    if (wrongCountAbove > 0 && batch.size() > wrongCountAbove) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  @Override
  public Coder<String> outputCoder(Pipeline pipeline) {
    return StringUtf8Coder.of();
  }
}
