fn main() {
    std::process::exit(sangam_sim::cli::main_entry());
}
