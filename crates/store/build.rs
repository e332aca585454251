//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the files it finds
//! at compile time, and cargo does not otherwise notice a new file in the folder.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
