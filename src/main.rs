use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    mission_procurement::cli::run(std::env::args().skip(1).collect()).await
}
