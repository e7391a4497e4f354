#include "cli/run_startup.h"

#include <filesystem>

#include "common/error.h"
#include "common/text.h"
#include "engine/device.h"
#include "engine/stylize.h"
#include "vgg/weights_file.h"
#include "vgg/weights_names.h"

namespace stylesweep {
namespace {

// stylesweep-journal-writer is built and installed beside this executable.
std::string journal_writer_program() {
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return (self.parent_path() / "stylesweep-journal-writer").string();
}

void open_store(SweepSetup& setup, const RunArguments& arguments) {
  const SweepPlan& plan = setup.plan;
  StoreSettings settings{setup.config.output, setup.config.text, setup.config.path, plan.weights_sha256,
                         plan.varying_keys, read_weights_source(plan.weights_path), arguments.journal_writers,
                         journal_writer_program(), arguments.claim_timeout};
  settings.yardstick_weights = plan.yardstick_weights_path;
  settings.yardstick_weights_sha256 = plan.yardstick_weights_sha256;
  setup.store = std::make_unique<ResultStore>(std::move(settings), &setup.recovery_notes);
}

// Rank 0's part: the plan and the store; the message for the other ranks.
std::string plan_sweep(const RunArguments& arguments, std::optional<SweepSetup>& setup) {
  SweepConfig config = load_sweep_config(arguments.config);
  SweepPlan plan = expand_sweep(config, weights_file_for, arguments.max_jobs);
  setup = SweepSetup{std::move(config), std::move(plan), nullptr, {}};
  open_store(*setup, arguments);
  return join({setup->plan.weights_path, setup->plan.weights_sha256, setup->plan.yardstick_weights_path,
               setup->plan.yardstick_weights_sha256},
              "\n");
}

}  // namespace

StartMessage start_ranks(const Session& session, ProcessRole role, const RunArguments& arguments,
                         std::optional<SweepSetup>& setup) {
  const bool shared = role != ProcessRole::kSerial;
  std::string message;
  if (role != ProcessRole::kWorker) {
    try {
      message = plan_sweep(arguments, setup);
    } catch (const Error& error) {
      if (shared) session.broadcast(std::string(1, char(error.kind())));
      throw;
    } catch (...) {
      if (shared) session.broadcast(std::string(1, char(ErrorKind::kInternal)));
      throw;
    }
  }
  if (shared) message = session.broadcast(message);
  if (message.size() == 1) throw ReportedError(ErrorKind(message[0]));
  const std::vector<std::string> lines = split(message, '\n');
  if (lines.size() != 4) throw Error("internal: a start message of " + std::to_string(lines.size()) + " lines", ErrorKind::kInternal);
  return {lines[0], lines[1], lines[2], lines[3]};
}

std::unique_ptr<StyleEngine> make_engine(const Session& session, const RunArguments& arguments,
                                         const StartMessage& start, Placement placement, WorkerInfo& info) {
  const DeviceChoice device =
      choose_device(placement.local_index, placement.workers_on_node, arguments.threads, arguments.max_memory,
                    arguments.workers_per_gpu);
  info = {session.rank(), session.host(), apply_device(device)};
  auto engine = std::make_unique<StyleEngine>(start.weights_file, device.name);
  engine->set_memory_budget(device.memory_budget);
  engine->set_yardstick_weights(start.yardstick_file);
  return engine;
}

}  // namespace stylesweep
