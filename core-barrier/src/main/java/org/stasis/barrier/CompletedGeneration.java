package org.stasis.barrier;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A generation that has just completed, as a {@link GenerationListener} sees it.
 *
 * @param compid the computation id
 * @param generation its number
 * @param ckptDir the coordinator's checkpoint directory (where the restart script is)
 * @param images the images, absolute, in worker order
 * @param bundles the plugin bundles the generation's workers announced in their HELLO
 *        ({@code bundles}), without repeats, in worker order
 * @param plugins the plugins enabled in the generation's workers ({@code plugins} of their
 *        HELLO), without repeats, in plugin order
 */
public record CompletedGeneration(String compid, int generation, Path ckptDir, List<Path> images,
        List<Path> bundles, List<String> plugins) {

    public CompletedGeneration {
        Objects.requireNonNull(compid, "compid");
        Objects.requireNonNull(ckptDir, "ckptDir");
        images = List.copyOf(images);
        bundles = List.copyOf(bundles);
        plugins = List.copyOf(plugins);
    }
}
