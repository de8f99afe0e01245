//! The scaffolding of the in-process fakes: an axum app over shared state, served on a free port
//! of 127.0.0.1 on its own thread and runtime, until dropped.

use axum::Router;
use std::sync::{Arc, Mutex};

/// A running fake over a `W`; it stops when dropped.
pub struct Served<W> {
    /// Its base URL.
    pub url: String,
    world: Arc<Mutex<W>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<W: Send + 'static> Served<W> {
    /// Serves the app `app` builds over `world`.
    pub fn serve(world: W, app: impl FnOnce(Arc<Mutex<W>>) -> Router + Send + 'static) -> Self {
        let world = Arc::new(Mutex::new(world));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, address) = std::sync::mpsc::channel();
        let shared = Arc::clone(&world);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                ready
                    .send(listener.local_addr().expect("address"))
                    .expect("report address");
                axum::serve(listener, app(shared))
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let address = address.recv().expect("fake server started");
        Self {
            url: format!("http://{address}"),
            world,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Reads or changes the world.
    pub fn with<T>(&self, change: impl FnOnce(&mut W) -> T) -> T {
        change(&mut self.world.lock().expect("world lock"))
    }
}

impl<W> Drop for Served<W> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
