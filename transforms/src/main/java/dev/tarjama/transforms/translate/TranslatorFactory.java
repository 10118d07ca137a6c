package dev.tarjama.transforms.translate;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.local.Translator;
import dev.tarjama.models.local.Translators;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Opens the {@link Translator} of a local backend on a worker. The default, {@link #models()},
 * opens a model directory by its layout ({@link Translators#open}); tests and embedders give their
 * own. Factories of different classes never share a loaded model.
 */
@FunctionalInterface
public interface TranslatorFactory extends Serializable {
  Translator open(String modelDir, ExecutionProvider provider) throws Exception;

  /** The models this build can run, by directory layout. */
  static TranslatorFactory models() {
    return new ByLayout();
  }

  /** {@link Translators#open}. */
  final class ByLayout implements TranslatorFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Translator open(String modelDir, ExecutionProvider provider) {
      return Translators.open(Path.of(modelDir), provider);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByLayout;
    }

    @Override
    public int hashCode() {
      return ByLayout.class.hashCode();
    }
  }
}
