import ArgumentParser
import SluiceEngine
@main struct Sluice: ParsableCommand { func run() {} }
