//! Writes every report of the test fixture into a directory, to look at them or to check the
//! HTML in a browser: `cargo run --release -p ssap-reports --example sample -- DIR`.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

fn main() -> anyhow::Result<()> {
    let Some(dir) = std::env::args_os().nth(1) else {
        anyhow::bail!("usage: sample DIR (the directory to write the reports into)");
    };
    for path in ssap_reports::write_all(&fixture::run(), std::path::Path::new(&dir))? {
        println!("{}", path.display());
    }
    Ok(())
}
