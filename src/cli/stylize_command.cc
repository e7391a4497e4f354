#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/text.h"
#include "engine/device.h"
#include "store/job_group.h"
#include "job/job_fields.h"
#include "engine/stylize.h"
#include "image/image.h"
#include "vgg/weights_names.h"

namespace stylesweep {
namespace {

struct StylizeArguments {
  StyleJob job;
  std::string blend, content_layers, style_layers, style_layer_weights, scales;
  std::string out, history, weights = kDefaultWeightsName, yardstick_weights, max_memory;
  double alpha = 0, beta = 0, ratio = 0;
  int threads = 0;
  int log_every = 50;
};

std::vector<double> parse_numbers(const std::string& option, const std::string& text) {
  std::vector<double> numbers;
  for (const auto& part : split(text, ',')) {
    try {
      std::size_t used = 0;
      numbers.push_back(std::stod(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw Error(option + ": '" + part + "' is not a number", ErrorKind::kBadInput);
    }
  }
  return numbers;
}

// The options of the job's scalar parameters, from their table (job/job_fields.h).
void add_field_options(CLI::App& command, StyleJob& job) {
  for (const JobField& field : job_fields()) {
    if (*field.flag == '\0') continue;
    std::visit(
        [&](auto member) {
          auto& value = job.*member;
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, bool>) {
            command.add_flag(field.flag, value, field.flag_help);
          } else if constexpr (has_text_form_v<Value>) {
            command
                .add_option_function<std::string>(
                    field.flag,
                    [&value, name = field.name](const std::string& text) {
                      std::optional<Value> parsed = from_text<Value>(text);
                      require(parsed.has_value(), [&] { return name + (": " + invalid_text_reason<Value>(text)); });
                      value = *parsed;
                    },
                    field.flag_help)
                ->default_str(to_text(value));
          } else if constexpr (std::is_same_v<Value, std::string> || std::is_same_v<Value, double> ||
                               std::is_same_v<Value, int> || std::is_same_v<Value, std::uint64_t>) {
            command.add_option(field.flag, value, field.flag_help)->capture_default_str();
          }
        },
        field.member);
  }
}

// Fills the job from the string options; validation of values happens in StyleJob::validate.
void resolve(StylizeArguments& arguments, const CLI::App& command) {
  StyleJob& job = arguments.job;
  if (command.count("--ratio") && (command.count("--alpha") || command.count("--beta"))) {
    throw Error("--ratio cannot be combined with --alpha/--beta", ErrorKind::kBadInput);
  }
  if (command.count("--ratio")) job.ratio = arguments.ratio;
  if (command.count("--alpha")) job.alpha = arguments.alpha;
  if (command.count("--beta")) job.beta = arguments.beta;
  if (!arguments.blend.empty()) job.style_blend = parse_numbers("--blend", arguments.blend);
  if (!arguments.content_layers.empty()) job.content_layers = split(arguments.content_layers, ',');
  if (!arguments.style_layers.empty()) job.style_layers = split(arguments.style_layers, ',');
  if (!arguments.scales.empty()) {
    for (double scale : parse_numbers("--scales", arguments.scales)) {
      if (scale != std::floor(scale) || std::abs(scale) > 8192) {
        throw Error(fmt::format("--scales: {} is not a size in pixels", scale), ErrorKind::kBadInput);
      }
      job.scales.push_back(int(scale));
    }
  }
  if (!arguments.style_layer_weights.empty()) {
    job.style_layer_weights = parse_numbers("--style-layer-weights", arguments.style_layer_weights);
  }
  job.validate();
}

// Every input image's header, before anything is announced: a missing or broken file is the
// whole answer.
void check_input_images(const StyleJob& job) {
  std::vector<std::string> images{job.content};
  images.insert(images.end(), job.styles.begin(), job.styles.end());
  if (!job.content_mask.empty()) images.push_back(job.content_mask);
  for (const std::string& mask : job.style_masks) {
    if (mask != "all") images.push_back(mask);
  }
  for (const std::string& image : images) read_image_size(image);
}

void run_stylize(StylizeArguments& arguments, const CLI::App& command) {
  resolve(arguments, command);
  check_input_images(arguments.job);
  const DeviceChoice device = choose_device(0, 1, arguments.threads, arguments.max_memory);
  const std::string device_text = apply_device(device);
  // Metrics are measured on the job's own network unless another is named, as in a sweep.
  const std::string weights_file = weights_file_for(arguments.weights);
  const std::string yardstick_file =
      arguments.yardstick_weights.empty() ? weights_file : weights_file_for(arguments.yardstick_weights);
  StyleEngine engine(weights_file, device.name);
  engine.set_memory_budget(device.memory_budget);
  engine.set_yardstick_weights(yardstick_file);
  const StyleJob& job = arguments.job;
  const std::string stages =
      job.scales.empty() ? "" : fmt::format(" after coarse stages at {} px, {} in all", fmt::join(job.scales, ", "),
                                            job.planned_evaluations());
  std::cerr << fmt::format("stylesweep: {} {} evaluations at {} px{} on {}\n", choice_name(job.optimizer),
                           job.iterations, job.size, stages, device_text);
  std::cerr << fmt::format("stylesweep: weights {} ({})\n", arguments.weights, weights_file);
  ProgressPrinter printer(stderr, arguments.log_every);
  JobResult result;
  try {
    result = engine.run(arguments.job, [&printer](const Progress& p) { printer(p); });
  } catch (...) {
    printer.finish();
    throw;
  }
  printer.finish();
  write_png(arguments.out, result.image);
  if (!arguments.history.empty()) {
    const std::string id = job_id(arguments.job, engine.weights_sha256());
    write_history_file(arguments.history, id, arguments.job, engine.weights_sha256(), result);
  }
  std::cout << fmt::format("wrote {} ({}x{}); final loss {:.6e} after {} evaluations in {:.1f} s{}\n",
                           arguments.out, result.image.width, result.image.height,
                           result.history.total[std::size_t(result.result_evaluation)], result.evaluations, result.wall_seconds,
                           arguments.history.empty() ? "" : "; history in " + arguments.history);
}

}  // namespace

void add_stylize_command(CLI::App& app) {
  auto arguments = std::make_shared<StylizeArguments>();
  StyleJob& job = arguments->job;
  CLI::App* command = app.add_subcommand("stylize", "Stylize one content image (one job)");
  command->footer(
      "Example:\n  stylesweep stylize --content configs/images/tubingen.jpg --style configs/images/starry_night.jpg "
      "--ratio 1e-2 --size 256 --out tubingen-starry.png");
  command->add_option("--content", job.content, "Content image (PNG or JPEG)")->required();
  command->add_option("--style", job.styles, "Style image; repeat for several styles")->required();
  command->add_option("--blend", arguments->blend, "Blend weights of the styles, e.g. 0.7,0.3");
  command->add_option("--style-mask", job.style_masks,
                      "Spatial control: per style (in --style order) a mask whose pixels of a region's colour feed "
                      "that region, or 'all' for the whole style; needs --content-mask");
  command->add_option("--out", arguments->out, "Output PNG")->required();
  add_field_options(*command, job);
  command->add_option("--ratio", arguments->ratio, "alpha/beta, with beta = 1 (default 1e-3)");
  command->add_option("--alpha", arguments->alpha, "Content weight");
  command->add_option("--beta", arguments->beta, "Style weight");
  command->add_option("--content-layers", arguments->content_layers, "Comma-separated, default relu4_2");
  command->add_option("--style-layers", arguments->style_layers,
                      "Comma-separated, default relu1_1,relu2_1,relu3_1,relu4_1,relu5_1");
  command->add_option("--style-layer-weights", arguments->style_layer_weights,
                      "Comma-separated w_l, default 1/|style layers| each");
  command->add_option("--weights", arguments->weights,
                      "VGG-19 weights: `vgg19` (the pretrained network, fetched once with `stylesweep weights fetch "
                      "vgg19`), `random` (seed-0 random weights) or a file")
      ->capture_default_str();
  command->add_option("--yardstick-weights", arguments->yardstick_weights,
                      "The network the metrics are measured on (default: --weights's)");
  command->add_option("--scales", arguments->scales,
                      "Coarse-to-fine: comma-separated sizes to optimize at first, e.g. 128,256, "
                      "each stage starting from the previous result upsampled");
  command->add_option("--history", arguments->history, "Write losses and image to this HDF5 file");
  command->add_option("--threads", arguments->threads, "CPU threads (default: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else the usable cores)");
  command->add_option("--max-memory", arguments->max_memory,
                      "Refuse a job estimated to need more memory than this, e.g. 8G (default: "
                      "90 % of the machine's; on a GPU unchecked)");
  command->add_option("--checkpoint-every", job.checkpoint_every,
                      "Evaluations between checkpoints (0: none)")->capture_default_str();
  command->add_option("--checkpoint", job.checkpoint_path,
                      "Checkpoint file; an existing one of the same job is resumed");
  command->add_option("--log-every", arguments->log_every,
                      "Evaluations between progress lines when not on a terminal")->capture_default_str();
  command->callback([arguments, command] {
    if (arguments->job.checkpoint_every > 0 && arguments->job.checkpoint_path.empty()) {
      arguments->job.checkpoint_path = arguments->out + ".ckpt";
    }
    run_stylize(*arguments, *command);
  });
}

}  // namespace stylesweep
