//! What the view loads at run time, through Bevy's `AssetServer` from `assets/` (found from
//! `BEVY_ASSET_ROOT`, else the crate's directory under `cargo run`, else beside the binary),
//! with a copy built into the binary that the same server loads when the file is not there,
//! so `view` works from any directory.
//!
//! Today that is the font of every text in the view: NanumGothicCoding (NAVER, SIL Open Font
//! Licence, `assets/view/fonts/OFL.txt`), a monospaced face with Hangul, so that Korean road
//! and station names from OpenStreetMap show as names; Bevy's built-in font has Latin only.
//! Meshes are built in code (`mesh`, `scene`, `vehicles`) and the colours are the `palette`
//! constants, which the screenshot test's pixel classes are measured against.
use std::path::{Path, PathBuf};

use bevy::asset::io::embedded::EmbeddedAssetRegistry;
use bevy::asset::io::file::FileAssetReader;
use bevy::asset::{AssetPath, LoadState};
use bevy::prelude::*;

/// The font, under `assets/`.
pub const FONT: &str = "view/fonts/NanumGothicCoding.ttf";
/// The built-in copy of it.
const FONT_BYTES: &[u8] = include_bytes!("../../assets/view/fonts/NanumGothicCoding.ttf");
/// Where the built-in copies live in Bevy's `embedded://` source.
const EMBEDDED_DIR: &str = "sangam_sim";

/// Register the built-in copies with the asset server (after `DefaultPlugins`).
pub fn embed(app: &mut App) {
    let registry = app.world().resource::<EmbeddedAssetRegistry>();
    registry.insert_asset(
        PathBuf::from(FONT),
        &Path::new(EMBEDDED_DIR).join(FONT),
        FONT_BYTES,
    );
}

/// The built-in copy of an asset, as the asset server names it.
fn embedded(path: &str) -> AssetPath<'static> {
    AssetPath::parse(&format!("embedded://{EMBEDDED_DIR}/{path}")).into_owned()
}

/// The view's font: loading from `assets/`, from the built-in copy, or in use.
#[derive(Resource, Debug)]
pub struct ViewFont {
    handle: Handle<Font>,
    from_binary: bool,
    ready: bool,
}

/// Where `assets/` is for the asset server.
fn asset_root() -> PathBuf {
    // `AssetPlugin::file_path`, which the view leaves at its default.
    FileAssetReader::get_base_path().join("assets")
}

/// Ask for the font: from `assets/` when it is there, else the built-in copy.
pub fn load(mut commands: Commands, server: Res<AssetServer>) {
    let on_disk = asset_root().join(FONT).is_file();
    if !on_disk {
        info!(
            "no {FONT} under {}: using the copy built into the binary",
            asset_root().display()
        );
    }
    commands.insert_resource(ViewFont {
        handle: if on_disk {
            server.load(FONT)
        } else {
            server.load(embedded(FONT))
        },
        from_binary: !on_disk,
        ready: false,
    });
}

/// Once the font is in, every text uses it (and each text spawned later); when the file in
/// `assets/` cannot be read, the built-in copy is loaded instead.
pub fn adopt(
    server: Res<AssetServer>,
    mut font: ResMut<ViewFont>,
    mut texts: Query<&mut TextFont>,
) {
    if font.ready {
        for mut t in &mut texts {
            if t.is_added() {
                t.font = font.handle.clone().into();
            }
        }
        return;
    }
    match server.load_state(&font.handle) {
        LoadState::Loaded => {
            font.ready = true;
            for mut t in &mut texts {
                t.font = font.handle.clone().into();
            }
        }
        LoadState::Failed(e) if !font.from_binary => {
            warn!("{FONT} cannot be read ({e}); using the copy built into the binary");
            font.handle = server.load(embedded(FONT));
            font.from_binary = true;
        }
        LoadState::Failed(e) => {
            warn!("the built-in font cannot be read ({e}); using Bevy's");
            font.handle = Handle::default();
            font.ready = true;
        }
        _ => {}
    }
}
